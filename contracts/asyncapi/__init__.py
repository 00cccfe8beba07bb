"""AsyncAPI in and out: import registry message specs and AsyncAPI 2.6/3.0 documents into tidings catalogues,
export a catalogue as AsyncAPI 3.0.0 or as registry message specs. Pure: files in, files out, nothing fetched."""

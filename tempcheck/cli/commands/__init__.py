"""One module per group of shell commands; each imports only what it needs."""

"""Documents after submission: OIA asks the requesting authority for documents; the answer's
PDFs make a new minor version of the submitted request (1.1, 1.2, ...) and its package."""

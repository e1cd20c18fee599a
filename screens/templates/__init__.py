"""Templates: message templates and forms, listed, edited and previewed."""

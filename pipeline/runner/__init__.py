"""How stages run: a stage's outputs kept on failure, notebooks through Papermill, and the check
that every stage declares the code it runs."""

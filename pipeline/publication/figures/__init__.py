"""The report's figures: one module per figure, a shared style and a shared way to save them."""

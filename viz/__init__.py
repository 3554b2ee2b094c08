"""plaingrad's pictures: computation graphs (Graphviz) and training plots (matplotlib)."""

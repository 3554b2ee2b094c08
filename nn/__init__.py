"""plaingrad's neural networks, built from `autograd.Value`s."""

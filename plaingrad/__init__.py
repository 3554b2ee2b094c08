"""The `plaingrad` command: train, check, graph and explain from a shell.

Run it as ``plaingrad COMMAND ...`` or ``python -m plaingrad COMMAND ...``; each
subcommand is one module (`train_command`, `check_command`, `graph_command`,
`explain_command`), and `expression` is the safe language its formulas are written in.
This is the only package that imports all of autograd, nn and viz; none of them
imports it. The libraries themselves are `autograd`, `nn` and `viz`.
"""

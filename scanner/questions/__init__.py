"""Questions a user asks the network: query, test, flows, paths, diff.

Each module is a pure function over an audit context (or two) returning data; the
emitters in output/ print it and scanner/questions_cli.py wires the commands.
"""

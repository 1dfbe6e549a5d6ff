"""Adding an activation from one SymPy expression (``backprop-spec add-activation``).

* `spec.extend.add_activation`: plan (derive, prove, print NumPy code) and write;
* `spec.extend.sandbox`: the planning runs in a child process with a time limit;
* `spec.extend.codecheck`: the shape every generated NumPy module must have,
  checked on its syntax tree before it is written or loaded.

The expression itself is read by `spec.parse`, which the registry uses too.
"""

"""Checking someone's backprop code against the spec (``backprop-spec verify``).

The public functions are re-exported here; the machinery is in the modules:

* `spec.verify.discover`: reading the user's code (parameters, layout, depth,
  methods, learning rate) and driving it through scenarios;
* `spec.verify.describe`: how the code was read, in words;
* `spec.verify.recurrence`: the spec's recurrence in NumPy and its variants;
* `spec.verify.mistakes`: the mistakes `verify` knows, one `Mistake` entry each
  in a registry (the variant, where it applies, its explanation);
* `spec.verify.judge`: comparing what the code did with the spec, stage by
  stage (`judge.STAGES`), the verdict and the diagnosis;
* `spec.verify.sandbox` and `spec.verify._child`: the child process the
  user's code runs in (the parent and the child's side);
* `spec.verify.from_python`: `verify` for a class, a function or source text,
  from Python and notebooks.
"""

from spec.verify.from_python import verify
from spec.verify.judge import (
    ParameterResult,
    ProtocolError,
    Report,
    verify_file,
    verify_gradient_function,
)

__all__ = ["ParameterResult", "ProtocolError", "Report", "verify", "verify_file", "verify_gradient_function"]

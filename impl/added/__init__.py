"""Activations added with ``backprop-spec add-activation``: one generated module ``act_NAME.py`` each.

Nothing is imported from here. `impl._added` loads each ``act_NAME.py`` from
its file under the private name ``impl.added.act_NAME`` and registers its
``ACTIVATION`` in `impl.activations`; a module that fails to load is reported
by ``impl.activations.get(NAME)`` instead of breaking ``import impl``.
"""

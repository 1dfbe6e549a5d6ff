"""The spec and impl registries name the same activations and losses: each entry has both sides.

A loss (or activation) is one entry in ``spec`` (its SymPy expression, from
which the derivatives and proofs follow) and one in ``impl`` (its stable
NumPy version). Tests, docs pages, the command line, ``verify`` and the
gradient checker loop over the names; an entry with one side only would be
silently left out of half of them, so it fails here, by name.
"""

from impl import activations as impl_activations
from impl import losses as impl_losses
from spec import activations as spec_activations
from spec import losses as spec_losses


def _one_sided(spec_names, impl_names):
    return sorted(set(spec_names) - set(impl_names)), sorted(set(impl_names) - set(spec_names))


def test_every_loss_has_a_spec_entry_and_an_impl_entry():
    only_spec, only_impl = _one_sided(spec_losses.names(), impl_losses.names())
    assert not only_spec, f"losses in spec.losses without an impl.losses entry: {only_spec}"
    assert not only_impl, f"losses in impl.losses without a spec.losses entry: {only_impl}"
    assert spec_losses.names() == impl_losses.names()


def test_every_activation_has_a_spec_entry_and_an_impl_entry():
    only_spec, only_impl = _one_sided(spec_activations.names(), impl_activations.names())
    assert not only_spec, f"activations in spec.activations without an impl.activations entry: {only_spec}"
    assert not only_impl, f"activations in impl.activations without a spec.activations entry: {only_impl}"


def test_both_sides_declare_the_same_requirements_and_shapes():
    for name in spec_losses.names():
        spec_loss, impl_loss = spec_losses.get(name), impl_losses.get(name)
        assert spec_loss.requires == impl_loss.requires, name
        assert spec_loss.default_output == impl_loss.default_output, name
        # the same output activations are accepted on both sides
        for act in spec_activations.names():
            ok_spec = spec_loss.accepts(spec_activations.get(act))
            ok_impl = impl_losses.is_compatible(impl_loss, impl_activations.get(act))
            assert ok_spec == ok_impl, (name, act)
    for name in spec_activations.names():
        assert spec_activations.get(name).elementwise == impl_activations.get(name).elementwise, name

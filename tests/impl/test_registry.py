"""The one registry type behind the four registries (impl and spec, activations and losses)."""

import dataclasses
import pickle

import pytest

from impl import activations as impl_activations
from impl import losses as impl_losses
from impl._registry import Registry
from spec import activations as spec_activations
from spec import losses as spec_losses


@dataclasses.dataclass(frozen=True)
class Entry:
    name: str
    smooth: bool = True


class Other:
    name = "other"


def _registry():
    reg = Registry("thing", Entry, argument="entry")
    for entry in (Entry("a"), Entry("b", smooth=False), Entry("c")):
        reg.register(entry)
    return reg


def test_register_get_iterate_in_order():
    reg = _registry()
    assert reg.names() == ("a", "b", "c")
    assert [e.name for e in reg] == ["a", "b", "c"]
    assert len(reg) == 3 and "b" in reg and "z" not in reg
    assert reg.get("b") == Entry("b", smooth=False)


def test_a_duplicate_is_refused_naming_the_argument_unless_replace():
    reg = _registry()
    with pytest.raises(ValueError, match=r"^entry: the name 'b' is already registered$"):
        reg.register(Entry("b"))
    assert reg.get("b").smooth is False  # the first one stays
    assert reg.register(Entry("b"), replace=True) == Entry("b")
    assert reg.names() == ("a", "b", "c")


@pytest.mark.parametrize("bad", ["", "two words", "no-dash", "1st", "class", 3])
def test_a_bad_name_is_refused_naming_the_argument(bad):
    reg = _registry()
    with pytest.raises(ValueError, match="^entry: the name must be a Python identifier"):
        reg.register(Entry(bad))
    assert reg.names() == ("a", "b", "c")


def test_a_wrong_type_is_refused():
    with pytest.raises(TypeError, match="^entry: expected an Entry, got Other$"):
        _registry().register(Other())


def test_an_unknown_name_lists_every_choice():
    with pytest.raises(ValueError, match=r"^thing: unknown name 'd'; expected one of a, b, c$"):
        _registry().get("d")
    with pytest.raises(TypeError, match=r"^thing: expected a name \(str\), got int$"):
        _registry().get(3)


def test_filters():
    reg = _registry()
    assert reg.names(smooth=True) == ("a", "c")
    assert reg.names(smooth=False) == ("b",)
    assert reg.names(smooth=None) == ("a", "b", "c")
    with pytest.raises(TypeError, match="no filter 'colour'"):
        reg.names(colour="red")


def test_copy_is_independent_and_keeps_the_rules():
    reg = _registry()
    some = reg.copy(only=("c", "a"))
    assert some.names() == ("c", "a")
    some.register(Entry("d"))
    assert "d" not in reg
    with pytest.raises(ValueError, match="already registered"):
        some.register(Entry("a"))
    with pytest.raises(ValueError, match="unknown name 'x'"):
        reg.copy(only=("x",))


def test_check_refuses_an_inconsistent_entry():
    def check(entry):
        if not entry.smooth:
            raise ValueError(f"entry: {entry.name!r} must be smooth")

    reg = Registry("thing", Entry, argument="entry", check=check)
    with pytest.raises(ValueError, match="'rough' must be smooth"):
        reg.register(Entry("rough", smooth=False))
    assert reg.names() == ()


# --- the four module-level registries delegate to it --------------------------------------------

MODULES = [impl_activations, impl_losses, spec_activations, spec_losses]
IDS = ["impl.activations", "impl.losses", "spec.activations", "spec.losses"]


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_each_module_registry_is_a_registry(module):
    assert isinstance(module._REGISTRY, Registry)
    assert module.names() == module._REGISTRY.names()
    assert [module.get(name) for name in module.names()] == list(module._REGISTRY)


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_each_module_refuses_a_duplicate(module, monkeypatch):
    monkeypatch.setattr(module, "_REGISTRY", module._REGISTRY.copy())
    first = module.names()[0]
    with pytest.raises(ValueError, match=f"the name '{first}' is already registered"):
        module.register(module.get(first))
    assert module.names() == module._REGISTRY.names()


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_each_module_lists_the_choices_for_an_unknown_name(module):
    with pytest.raises(ValueError, match="unknown name 'nope'; expected one of ") as info:
        module.get("nope")
    assert str(info.value).endswith(", ".join(module.names()))


@pytest.mark.parametrize("module", [impl_activations, spec_activations], ids=["impl", "spec"])
def test_the_elementwise_filter(module):
    vector = module.names(elementwise=False)
    assert vector == ("softmax",)
    assert module.names(elementwise=True) == tuple(n for n in module.names() if n not in vector)
    assert all(module.get(n).elementwise for n in module.names(elementwise=True))


def test_impl_entries_still_pickle_by_name():
    for module in (impl_activations, impl_losses):
        for entry in module._REGISTRY:
            assert pickle.loads(pickle.dumps(entry)) is entry

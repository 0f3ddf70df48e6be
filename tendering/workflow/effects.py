"""Named effects of workflow transitions: database work that belongs to the state change and happens in its
transaction (mail only goes out after commit). Each effect registers itself where it is written, as guards do,
with `@effect(name)`; a workflow file naming an effect nobody registered fails at start-up."""

from collections.abc import Callable

EFFECTS: dict[str, Callable] = {}


def effect(name: str):
    def register(function: Callable) -> Callable:
        EFFECTS[name] = function
        return function

    return register

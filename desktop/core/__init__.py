"""Pure logic: dataclasses, protocol decoding, errors, local stores. No Qt, no network."""

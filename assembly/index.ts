// The exported ABI of the engine core. Only exports live here; the code lives in the subsystem folders.

// Gives the shared test precompiled header a target to hang on.

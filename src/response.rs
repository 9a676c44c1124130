//! Response bodies (SPEC §8). (Being written.)

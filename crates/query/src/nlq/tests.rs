//! Unit tests of the NLQ parser, one section per phrase family.

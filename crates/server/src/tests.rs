//! Router tests with oneshot requests.

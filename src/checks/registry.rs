//! The rule registry: every rule, in code order.

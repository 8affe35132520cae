//! Procedurally furnished, labelled indoor rooms (work in progress).

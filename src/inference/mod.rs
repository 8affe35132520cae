//! ONNX Runtime, shared by the two networks (the scene [`crate::encoder`] and the per-frame
//! [`crate::fusion`] network): finding or fetching the library ([`runtime`]), building a
//! session with execution-provider choice and fallback, and feeding it named tensors
//! ([`session`]).

pub mod error;
pub mod input_memory;
pub mod runtime;
pub mod session;

pub use error::InferenceError;
pub use session::{
    BuiltSession, ExecutionChoice, InputTensor, RunInput, build_model_session, build_session, check_io_names,
    read_model, run_inputs,
};

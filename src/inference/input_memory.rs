//! Where a session takes each of its inputs (ONNX Runtime's `SessionGetMemoryInfoForInputs`),
//! which `ort` 2.0.0-rc.15 reads for its own IoBinding but does not expose. The fusion network
//! needs it to know when a borrowed host tensor can be bound without `ort` cloning it (see
//! `FusionModel::network_values`): only when the session takes that input on another device.

use std::ffi::CStr;

use ort::AsPointer;
use ort::session::Session;

use super::InferenceError;

/// What [`input_memory_names`] was doing, for its errors.
const DOING: &str = "asking where the session takes its inputs";

/// The memory-info name of each input of `session`, in input order: "Cpu" for host memory,
/// "Cuda" and so on for a device's.
pub fn input_memory_names(session: &Session) -> Result<Vec<String>, InferenceError> {
    let api = ort::api();
    let count = session.inputs().len();
    let mut infos: Vec<*const ort::sys::OrtMemoryInfo> = vec![std::ptr::null(); count];
    // SAFETY: the session pointer is valid for the call and `infos` has room for one pointer
    // per input, as the C API requires; the infos it fills in belong to the session.
    let status = unsafe { (api.SessionGetMemoryInfoForInputs)(session.ptr(), infos.as_mut_ptr(), count) };
    status_result(api, status)?;
    infos
        .into_iter()
        .map(|info| {
            if info.is_null() {
                return Err(InferenceError::inference(DOING, "no memory info for an input"));
            }
            let mut name: *const std::ffi::c_char = std::ptr::null();
            // SAFETY: `info` is a live memory info of the session; the name it points `name` at
            // is a NUL-terminated string owned by that memory info, copied out at once.
            let status = unsafe { (api.MemoryInfoGetName)(info, &mut name) };
            status_result(api, status)?;
            if name.is_null() {
                return Err(InferenceError::inference(DOING, "an input memory info without a name"));
            }
            // SAFETY: checked non-null above; see the previous comment.
            Ok(unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned())
        })
        .collect()
}

/// Whether `session` takes every input outside host memory: then `ort` binds a borrowed host
/// tensor to it without cloning (it copies only across devices, and compares the memory-info
/// names as here). False when ONNX Runtime cannot say.
pub fn inputs_on_device(session: &Session) -> bool {
    input_memory_names(session).is_ok_and(|names| !names.is_empty() && names.iter().all(|n| n != "Cpu"))
}

/// An ONNX Runtime status as a result, the status released.
fn status_result(api: &ort::sys::OrtApi, status: ort::sys::OrtStatusPtr) -> Result<(), InferenceError> {
    if status.0.is_null() {
        return Ok(());
    }
    // SAFETY: a non-null status returned by the API, read once and released once.
    let message = unsafe {
        let text = (api.GetErrorMessage)(status.0);
        let message = if text.is_null() { String::new() } else { CStr::from_ptr(text).to_string_lossy().into_owned() };
        (api.ReleaseStatus)(status.0);
        message
    };
    Err(InferenceError::inference(DOING, message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inference::{ExecutionChoice, build_session, read_model};

    #[test]
    fn a_cpu_session_takes_its_inputs_in_host_memory() {
        let path = crate::fusion::default_model_path();
        let model = read_model(&path).expect("the shipped fusion network");
        let built = build_session(&path, &model, ExecutionChoice::Cpu, 1, "fusion network").expect("a CPU session");
        let names = input_memory_names(&built.session).expect("memory infos");
        assert_eq!(names.len(), built.session.inputs().len());
        assert!(!names.is_empty() && names.iter().all(|n| n == "Cpu"), "{names:?}");
        assert!(!inputs_on_device(&built.session));
    }
}

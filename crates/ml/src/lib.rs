//! Machine learning on the ocean data halocline holds: the model registry (versions, aliases, lineage,
//! training jobs) and the inference service (ONNX models run in-process, batched). Numerics are pure and
//! tested against oracles (onnxruntime, scikit-learn); storage goes through `store`.

pub mod infer;
pub mod registry;

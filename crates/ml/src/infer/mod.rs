//! The inference service: ONNX engines, preprocessing, dynamic batching, A/B routing and hot swap.

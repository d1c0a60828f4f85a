//! The model registry: models, versions, aliases, lineage, artifacts and training jobs.

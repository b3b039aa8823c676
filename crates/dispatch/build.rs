fn main() {
    // Exposes cfgs such as `Py_3_13` so the engine can pick the fastest attribute lookup per version.
    pyo3_build_config::use_pyo3_cfgs();
}

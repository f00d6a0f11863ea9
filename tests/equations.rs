//! `Model::equations` against the published systems, written out by hand from the papers with
//! the parameter values of the shipped files (expected text independent of the formatter).

use oncodyn::io::ModelFile;

fn equations(file: &str) -> String {
    let path = format!("{}/examples/models/{file}", env!("CARGO_MANIFEST_DIR"));
    let model = ModelFile::read(path)
        .expect("reads")
        .build()
        .expect("builds");
    model.equations().to_string()
}

#[test]
fn kuznetsov_equations_read_as_the_paper_with_its_values() {
    // Kuznetsov et al. 1994 (immune.md §1): dE/dt = s + p·E·T/(g + T) − m·E·T − d·E,
    // dT/dt = a·T·(1 − b·T) − n·E·T, with s = 1.3e4, p = 0.1245, g = 2.019e7, m = 3.422e-10,
    // d = 0.0412, a = 0.18, 1/b = 5e8, n = 1.101e-7 (BIOMD0000000762).
    assert_eq!(
        equations("kuznetsov_1994.toml"),
        "dtumor/dt = 0.18·tumor·(1 − tumor/5e8) − 1.101e-7·effector·tumor    [cells/day]\n\
         deffector/dt = 1.3e4 − 0.0412·effector + 0.1245·tumor/(2.019e7 + tumor)·effector \
         − 3.422e-10·effector·tumor    [cells/day]\n"
    );
}

#[test]
fn tmdd_equations_read_as_mager_and_jusko() {
    // PROBLEMS.md problem 4: dL/dt = −kel·L − b, dR/dt = ksyn − kdeg·R − b, dP/dt = b − kint·P,
    // b = kon·L·R − koff·P, kel 0.2, ksyn 1, kdeg 0.1, kint 0.5, kon 1000, koff 1.
    assert_eq!(
        equations("tmdd_stiff.toml"),
        "dfree_drug/dt = − 0.2·free_drug − (1000·free_drug·free_target − 1·complex)    [nM/day]\n\
         dfree_target/dt = 1 − 0.1·free_target − (1000·free_drug·free_target − 1·complex)    \
         [nM/day]\n\
         dcomplex/dt = − 0.5·complex + (1000·free_drug·free_target − 1·complex)    [nM/day]\n"
    );
}

#[test]
fn latex_of_the_tmdd_system_is_the_plain_text_typeset() {
    // The TMDD system of tmdd_equations_read_as_mager_and_jusko, typeset: names upright,
    // products as \cdot, parentheses sized, one aligned line per state.
    let path = format!(
        "{}/examples/models/tmdd_stiff.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let model = ModelFile::read(path)
        .expect("reads")
        .build()
        .expect("builds");
    let latex = model.equations().to_latex();
    assert_eq!(
        latex.lines().nth(3),
        Some(
            r"\frac{d\,\mathrm{complex}}{dt} &= - 0.5 \cdot \mathrm{complex} + \left(1000 \cdot \mathrm{free\_drug} \cdot \mathrm{free\_target} - 1 \cdot \mathrm{complex}\right) \\"
        )
    );
    assert!(latex.starts_with(r"\begin{aligned}") && latex.ends_with(r"\end{aligned}"));
}

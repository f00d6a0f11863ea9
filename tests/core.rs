//! The general model core — species in their own units, transitions, production, binding,
//! modifiers on any rate, competing clones — against closed forms, conservation laws and
//! equilibria derived by hand, plus the typed errors for bad input.
//!
//! Solved at `ANALYTIC_RTOL` (1e-10) with tight absolute tolerances; accepted relative error
//! `ANALYTIC_MAX_REL` (tests/common), as for the other closed-form tests.

mod common;

use common::{ANALYTIC_MAX_REL, ANALYTIC_RTOL};
use oncodyn::builder::{Rate, Signal};
use oncodyn::model::{Factor, SpeciesSpec};
use oncodyn::prelude::*;
use oncodyn::solver::AbsoluteTolerance;
use oncodyn::units::Unit;
use oncodyn::BuildError;

fn options() -> SolverOptions {
    SolverOptions {
        rtol: ANALYTIC_RTOL,
        atol: AbsoluteTolerance {
            cells: 1e-6,
            other: 1e-14,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn two_logistic_clones_sharing_a_capacity_grow_to_it_together() -> Result<(), oncodyn::Error> {
    // With equal r and K and α = 1 both ways, W = T1 + T2 obeys dW/dt = r·W·(1 − W/K): the
    // logistic closed form from W(0) = 3e6. Without competition W would pass K.
    let (r, k) = (0.3, 1e9);
    let law = Logistic {
        rate: r,
        capacity: k,
    };
    let mut b = ModelBuilder::new();
    let a = b.tumor(TumorSpec::new("sensitive", 2e6, law).competing_with("resistant", 1.0))?;
    let c = b.tumor(TumorSpec::new("resistant", 1e6, law).competing_with("sensitive", 1.0))?;
    let model = b.build()?;
    let times = [0.0, 20.0, 60.0, 200.0];
    let traj = simulate(&model, &Regimen::new("none"), &times, &options())?;
    for &t in &times {
        let w = traj.value_at(t, a)? + traj.value_at(t, c)?;
        let exact = k / (1.0 + (k / 3e6 - 1.0) * (-r * t).exp());
        assert!(rel(w, exact) < ANALYTIC_MAX_REL, "t = {t}: {w} vs {exact}");
    }
    // Their ratio stays 2 (same per-capita rate).
    let ratio = traj.value_at(200.0, a)? / traj.value_at(200.0, c)?;
    assert!(rel(ratio, 2.0) < ANALYTIC_MAX_REL);
    Ok(())
}

#[test]
fn a_transition_and_a_production_follow_their_closed_forms() -> Result<(), oncodyn::Error> {
    // A → B at k: A = A0·e^(−kt), B = B0 + A0·(1 − e^(−kt)). S made by B at p per cell and
    // cleared at δ: dS/dt = p·B − δ·S, solved by variation of constants (B0 = 0):
    // S = p·A0·[(1 − e^(−δt))/δ − (e^(−kt) − e^(−δt))/(δ − k)].
    let (k, p, delta, a0) = (0.2, 1e-4, 1.5, 1e6);
    let mut b = ModelBuilder::new();
    let active = b.effector(CellSpec {
        name: "active".into(),
        initial: a0,
        source: 0.0,
        death: 0.0,
        ..Default::default()
    })?;
    let exhausted = b.effector(CellSpec {
        name: "exhausted".into(),
        initial: 0.0,
        source: 0.0,
        death: 0.0,
        ..Default::default()
    })?;
    let il = b.species(
        SpeciesSpec::new("cytokine", Unit::PicogramsPerMilliliter, 0.0).with_decay(delta),
    )?;
    b.transition("exhaustion", active, exhausted, k)?;
    b.production("secretion", exhausted, il, p)?;
    let model = b.build()?;
    let traj = simulate(
        &model,
        &Regimen::new("none"),
        &[0.0, 1.0, 5.0, 20.0],
        &options(),
    )?;
    for t in [1.0, 5.0, 20.0] {
        let e = (-k * t).exp();
        assert!(rel(traj.value_at(t, active)?, a0 * e) < ANALYTIC_MAX_REL);
        assert!(rel(traj.value_at(t, exhausted)?, a0 * (1.0 - e)) < ANALYTIC_MAX_REL);
        let s =
            p * a0 * ((1.0 - (-delta * t).exp()) / delta - (e - (-delta * t).exp()) / (delta - k));
        let got = traj.value_at(t, il)?;
        assert!(rel(got, s) < ANALYTIC_MAX_REL, "t = {t}: {got} vs {s}");
    }
    assert_eq!(traj.columns()[2].unit, Unit::PicogramsPerMilliliter);
    Ok(())
}

#[test]
fn binding_conserves_totals_and_reaches_its_equilibrium() -> Result<(), oncodyn::Error> {
    // L + R ⇌ C alone: L + C and R + C are conserved; at equilibrium kon·L·R = koff·C, so with
    // totals L0, R0: C solves kon·(L0 − C)(R0 − C) = koff·C (smaller root of the quadratic).
    let (kon, koff, l0, r0) = (2.0, 0.5, 3.0, 1.0);
    let mut b = ModelBuilder::new();
    let l = b.species(SpeciesSpec::new("antibody", Unit::Nanomolar, l0))?;
    let r = b.species(SpeciesSpec::new("pd1", Unit::Nanomolar, r0))?;
    let c = b.species(SpeciesSpec::new("occupied", Unit::Nanomolar, 0.0))?;
    b.binding("binding", l, r, c, kon, koff)?;
    let model = b.build()?;
    let traj = simulate(&model, &Regimen::new("none"), &[0.0, 0.3, 50.0], &options())?;
    for t in [0.3, 50.0] {
        let (lt, rt, ct) = (
            traj.value_at(t, l)?,
            traj.value_at(t, r)?,
            traj.value_at(t, c)?,
        );
        assert!(
            rel(lt + ct, l0) < 1e-12 && rel(rt + ct, r0) < 1e-12,
            "t = {t}"
        );
    }
    let kd = koff / kon;
    let s = l0 + r0 + kd;
    let exact = (s - (s * s - 4.0 * l0 * r0).sqrt()) / 2.0;
    assert!(rel(traj.value_at(50.0, c)?, exact) < ANALYTIC_MAX_REL);
    Ok(())
}

#[test]
fn a_hill_inhibition_by_a_species_scales_the_kill_as_its_law_says() -> Result<(), oncodyn::Error> {
    // Constant effector E, constant PD-L1 level s: kill k·E·T·(1 − Imax·s^n/(K^n + s^n)), so
    // T = T0·exp((r − k·E·f)·t). A dose of PD-L1 at day 5 changes f from day 5 on.
    let (r, k, e, imax, half, n): (f64, f64, f64, f64, f64, f64) = (0.1, 1e-7, 2e6, 0.8, 2.0, 3.0);
    let f = |s: f64| 1.0 - imax * s.powf(n) / (half.powf(n) + s.powf(n));
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e7, Exponential { rate: r }))?;
    let ctl = b.effector(CellSpec {
        name: "ctl".into(),
        initial: e,
        source: 0.0,
        death: 0.0,
        ..Default::default()
    })?;
    let pdl1 = b.species(SpeciesSpec::new("pdl1", Unit::Dimensionless, 1.0))?;
    b.kill(ctl, tumor, MassAction { rate: k })?;
    b.modify(
        Rate::Kill(ctl, tumor),
        Signal::State(pdl1.into()),
        Factor::Inhibition(
            SigmoidEmax {
                emax: imax,
                ec50: half,
                hill: n,
            }
            .into(),
        ),
    )?;
    let model = b.build()?;
    let regimen = Regimen::new("more pd-l1").with(Dose::bolus(5.0, "pdl1", 2.0));
    let traj = simulate(&model, &regimen, &[0.0, 5.0, 10.0], &options())?;
    let at5 = 1e7 * ((r - k * e * f(1.0)) * 5.0).exp();
    let at10 = at5 * ((r - k * e * f(3.0)) * 5.0).exp();
    assert!(rel(traj.value_at(5.0, tumor)?, at5) < ANALYTIC_MAX_REL);
    assert!(rel(traj.value_at(10.0, tumor)?, at10) < ANALYTIC_MAX_REL);
    Ok(())
}

#[test]
fn a_drug_stimulating_a_source_enters_as_a_factor() -> Result<(), oncodyn::Error> {
    // dE/dt = σ·(1 + Emax·C/(EC50 + C)) at a constant C (no elimination): linear in t. A
    // check of Rate::Source and Signal::Concentration.
    let (sigma, emax, ec50, c) = (1e4, 2.0, 5.0, 10.0);
    let mut b = ModelBuilder::new();
    let cells = b.effector(CellSpec {
        name: "cells".into(),
        initial: 0.0,
        source: sigma,
        death: 0.0,
        ..Default::default()
    })?;
    let il2 = b.drug(DrugSpec::new("il2", OneCompartment { cl: 0.0, v: 1.0 }))?;
    b.modify(
        Rate::Source(cells.into()),
        Signal::Concentration(il2),
        Factor::Activation(Emax { emax, ec50 }.into()),
    )?;
    let model = b.build()?;
    let regimen = Regimen::new("il2").with(Dose::bolus(0.0, "il2", c));
    let traj = simulate(&model, &regimen, &[0.0, 4.0], &options())?;
    let exact = 4.0 * sigma * (1.0 + emax * c / (ec50 + c));
    assert!(rel(traj.value_at(4.0, cells)?, exact) < ANALYTIC_MAX_REL);
    Ok(())
}

#[test]
fn units_of_species_round_trip_through_files_and_label_columns() -> Result<(), oncodyn::Error> {
    let text = r#"
[[model.species]]
name = "virus"
unit = "copies/mL"
initial = 1e3
decay = 0.5

[[model.species]]
name = "il6"
unit = "pg/mL"
initial = 10.0

[simulation]
horizon = 2.0
step = 1.0
"#;
    let file = oncodyn::io::ModelFile::from_toml_str(text)?;
    assert_eq!(
        oncodyn::io::ModelFile::from_toml_str(&file.to_toml_string()?)?,
        file
    );
    let (_, traj) = file.simulate()?;
    let mut csv = Vec::new();
    traj.write_csv(&mut csv)?;
    let header = String::from_utf8(csv).expect("utf-8");
    let header = header.lines().next().expect("a header");
    assert!(
        header.contains("virus[copies/mL]") && header.contains("il6[pg/mL]"),
        "{header}"
    );
    let virus = traj.column_by_name("virus")?;
    assert!(rel(virus.get(2).expect("day 2"), 1e3 * (-1.0f64).exp()) < ANALYTIC_MAX_REL);
    Ok(())
}

/// What a bad input's error must be.
type Expected = fn(&BuildError) -> bool;

#[test]
fn bad_processes_and_modifiers_are_typed_errors_naming_what_is_wrong() {
    let base = |extra: &str| {
        format!(
            r#"
[[model.tumors]]
name = "tumor"
initial = 1e6
growth = {{ type = "exponential", rate = 0.1 }}

[[model.effectors]]
name = "ctl"
initial = 1e5

[[model.species]]
name = "pdl1"
unit = "nM"
initial = 1.0

[[model.species]]
name = "pd1"
unit = "nM"
initial = 1.0

[[model.species]]
name = "complex"
unit = "nM"
initial = 0.0
{extra}
[simulation]
horizon = 1.0
step = 1.0
"#
        )
    };
    let build = |extra: &str| {
        oncodyn::io::ModelFile::from_toml_str(&base(extra))
            .map_err(oncodyn::Error::from)
            .and_then(|f| f.build().map_err(oncodyn::Error::from))
    };
    let cases: [(&str, Expected); 6] = [
        (
            "[[model.processes]]\ntype = \"transition\"\nname = \"x\"\nfrom = \"ctl\"\nto = \"ghost\"\nrate = 0.1\n",
            |e| matches!(e, BuildError::UnknownState { name, .. } if name == "ghost"),
        ),
        (
            "[[model.modifiers]]\non = { process = \"nothing\" }\ninput = { state = \"pdl1\" }\nfactor = { exponential = { rate = 1.0 } }\n",
            |e| matches!(e, BuildError::UnknownRate { .. }),
        ),
        (
            "[[model.kills]]\nby = \"ctl\"\non = \"tumor\"\nlaw = { type = \"mass_action\", rate = 1e-7 }\n[[model.modifiers]]\non = { kill = { by = \"ctl\", on = \"tumor\" } }\ninput = { state = \"pdl1\" }\nfactor = { inhibition = { type = \"sigmoid_emax\", emax = 0.5, ec50 = 1.0, hill = 0.0 } }\n",
            |e| matches!(e, BuildError::InvalidParameter { param: "hill", .. }),
        ),
        (
            "[[model.kills]]\nby = \"ctl\"\non = \"tumor\"\nlaw = { type = \"mass_action\", rate = 1e-7 }\n[[model.modifiers]]\non = { kill = { by = \"ctl\", on = \"tumor\" } }\ninput = { state = \"pdl1\" }\nfactor = { inhibition = { type = \"emax\", emax = 1.5, ec50 = 1.0 } }\n",
            |e| matches!(e, BuildError::InvalidStructure { param: "factor", .. }),
        ),
        (
            "[[model.processes]]\ntype = \"binding\"\nname = \"b\"\nligand = \"pdl1\"\nreceptor = \"pd1\"\ncomplex = \"complex\"\nkon = -1.0\nkoff = 1.0\n",
            |e| matches!(e, BuildError::InvalidParameter { param: "kon", .. }),
        ),
        (
            "[[model.processes]]\ntype = \"binding\"\nname = \"b\"\nligand = \"pdl1\"\nreceptor = \"ctl\"\ncomplex = \"complex\"\nkon = 1.0\nkoff = 1.0\n",
            |e| matches!(e, BuildError::UnknownName { name, .. } if name == "ctl"),
        ),
    ];
    for (extra, expected) in cases {
        match build(extra) {
            // Found when the file is read, at the component's line.
            Err(oncodyn::Error::Io(oncodyn::IoError::Build {
                source: e,
                line: Some(_),
                ..
            })) => assert!(expected(&e), "{extra}: {e}"),
            other => panic!("{extra}: expected a build error, got {other:?}"),
        }
    }
}

#[test]
fn a_kill_cannot_be_pointed_at_a_species_nor_a_modifier_at_a_binding() -> Result<(), oncodyn::Error>
{
    // Kill takes StateId<Effector> and StateId<Tumor>: a species handle does not compile there
    // (checked by the type system). A modifier on a binding's net flux is a build error.
    let mut b = ModelBuilder::new();
    let l = b.species(SpeciesSpec::new("l", Unit::Nanomolar, 1.0))?;
    let r = b.species(SpeciesSpec::new("r", Unit::Nanomolar, 1.0))?;
    let c = b.species(SpeciesSpec::new("c", Unit::Nanomolar, 0.0))?;
    let binding = b.binding("binding", l, r, c, 1.0, 1.0)?;
    b.modify(
        Rate::Process(binding),
        Signal::State(l.into()),
        Factor::Exponential { rate: 1.0 },
    )?;
    assert!(matches!(b.build(), Err(BuildError::UnknownRate { .. })));
    let mut b = ModelBuilder::new();
    b.species(SpeciesSpec::new("l", Unit::Nanomolar, 1.0))?;
    assert!(matches!(
        b.species(SpeciesSpec::new("l", Unit::Nanomolar, 1.0)),
        Err(BuildError::DuplicateName { .. })
    ));
    Ok(())
}

#[test]
fn renaming_a_state_in_model_modified_is_a_layout_change() -> Result<(), oncodyn::Error> {
    // The kill names the tumor, so a rename would also break it: the layout change is what is
    // reported, once.
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.1 }))?;
    let ctl = b.effector(CellSpec {
        name: "ctl".into(),
        initial: 1e5,
        source: 0.0,
        death: 0.0,
        ..Default::default()
    })?;
    b.kill(ctl, tumor, MassAction { rate: 1e-7 })?;
    let model = b.build()?;
    let err = model.modified(|spec| spec.tumors[0].name = "renamed".into());
    assert!(matches!(err, Err(BuildError::LayoutChanged)), "{err:?}");
    Ok(())
}

#[test]
fn parameter_paths_reach_species_processes_and_modifiers() -> Result<(), oncodyn::Error> {
    // Studies vary and fits estimate parameters by path: the new sections are addressed like
    // the old ones (processes by name, modifiers by index).
    use oncodyn::compare::ParamPath;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/models/every_term.toml"
    );
    let mut spec = oncodyn::io::ModelFile::read(path)?.model;
    for (text, value) in [
        ("species[il2].decay", 2.0),
        ("processes[exhaustion].rate", 0.05),
        ("processes[engagement].kon", 10.0),
        ("modifiers[2].factor.inhibition.emax", 0.9),
        ("tumors[tumor].competitors", f64::NAN),
    ] {
        let path = ParamPath::parse(text).map_err(oncodyn::Error::from)?;
        if value.is_nan() {
            assert!(path.get(&spec).is_err(), "{text} is not a number");
            continue;
        }
        assert_eq!(
            path.get(&spec).map_err(oncodyn::Error::from)?,
            value,
            "{text}"
        );
        path.set(&mut spec, 2.0 * value)
            .map_err(oncodyn::Error::from)?;
        assert_eq!(
            path.get(&spec).map_err(oncodyn::Error::from)?,
            2.0 * value,
            "{text}"
        );
    }
    Ok(())
}

#[test]
fn wrong_length_slices_are_typed_errors_not_panics() -> Result<(), oncodyn::Error> {
    use oncodyn::SolveError;
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.1 }))?;
    b.effector(CellSpec {
        name: "ctl".into(),
        initial: 1e5,
        source: 0.0,
        death: 0.1,
        ..Default::default()
    })?;
    let model = b.build()?;
    let mut dy = [0.0; 2];
    let wrong = |r: Result<(), SolveError>, arg: &str| {
        assert!(
            matches!(r, Err(SolveError::WrongLength { argument, expected: 2, .. }) if argument == arg),
            "{arg}"
        )
    };
    wrong(model.rhs_into(0.0, &[1.0], &[0.0, 0.0], &mut dy), "y");
    wrong(model.rhs_into(0.0, &[1.0, 1.0], &[0.0], &mut dy), "inputs");
    wrong(
        model.rhs_into(0.0, &[1.0, 1.0], &[0.0, 0.0], &mut [0.0; 3]),
        "dy",
    );
    assert!(matches!(
        model.jacobian_into(0.0, &[1.0, 1.0], &mut [0.0; 3]),
        Err(SolveError::WrongLength {
            argument: "jac",
            expected: 4,
            got: 3
        })
    ));
    assert!(model.derivative(0.0, &[1.0, 2.0, 3.0]).is_err());
    model.rhs_into(0.0, &[1e6, 1e5], &[0.0, 0.0], &mut dy)?;
    assert_eq!(dy, [1e5, -1e4]);
    Ok(())
}

#[test]
fn observables_are_trajectory_columns_in_their_units() -> Result<(), oncodyn::Error> {
    // Each observable column equals the quantity computed from the state columns of the same
    // row: a ratio, the summed burden of every clone (with transit), a concentration.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/models/every_term.toml"
    );
    let (_, traj) = oncodyn::io::ModelFile::read(path)?.simulate()?;
    let col = |name: &str| {
        traj.column_by_name(name)
            .map(|c| c.iter().collect::<Vec<f64>>())
    };
    let (ratio, treg, ctl) = (col("treg_cd8_ratio")?, col("treg")?, col("ctl")?);
    let total = col("total_tumor")?;
    let clones = ["tumor_burden", "clone", "slow", "power"].map(&col);
    let (level, conc) = (col("antibody_level")?, col("antibody_conc")?);
    let (fraction, exhausted) = (col("exhausted_fraction")?, col("exhausted")?);
    for r in 0..traj.n_rows() {
        assert_eq!(ratio[r], treg[r] / ctl[r]);
        let sum: f64 = clones
            .iter()
            .map(|c| c.as_ref().expect("a column")[r])
            .sum();
        assert!(rel(total[r], sum) < 1e-14);
        assert!(rel(level[r], conc[r]) < 1e-14 || conc[r] == 0.0);
        assert!(rel(fraction[r], exhausted[r] / (ctl[r] + exhausted[r])) < 1e-14);
    }
    let unit = |name: &str| {
        traj.columns()
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.unit.clone())
    };
    assert_eq!(unit("treg_cd8_ratio"), Some(Unit::Dimensionless));
    assert_eq!(unit("antibody_level"), Some(Unit::MilligramsPerLiter));
    Ok(())
}

/// Expression fluxes and parameters from code: the builder's `flux` and `parameter` give the
/// same model as the spec written by hand, and bad input is a typed error.
#[test]
fn the_builder_writes_expression_fluxes_and_parameters() -> Result<(), oncodyn::Error> {
    use oncodyn::model::SpeciesSpec;
    use oncodyn::units::Unit;
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.1 }))?;
    let ctl = b.effector(CellSpec {
        name: "ctl".into(),
        initial: 1e5,
        source: 0.0,
        death: 0.1,
        ..Default::default()
    })?;
    let il2 = b.species(SpeciesSpec::new("il2", Unit::PicogramsPerMilliliter, 0.0))?;
    b.parameter("k", 5e-5)?;
    b.parameter("g", 1e5)?;
    assert!(matches!(
        b.parameter("k", 1.0),
        Err(oncodyn::BuildError::DuplicateName { .. })
    ));
    assert!(b.parameter("nan", f64::NAN).is_err());
    assert!(matches!(
        b.flux("bad", "k * (ctl", &[(il2.into(), 1.0)]),
        Err(oncodyn::BuildError::Expression { .. })
    ));
    b.flux(
        "il2_production",
        "k * ctl * tumor / (g + tumor)",
        &[(il2.into(), 1.0), (ctl.into(), -0.5)],
    )?;
    let model = b.build()?;
    let dy = model.derivative(0.0, model.initial_state())?;
    let flux = 5e-5 * 1e5 * 1e6 / (1e5 + 1e6);
    let (i_il2, i_ctl) = (2, 1);
    assert_eq!(model.states()[i_il2].name, "il2");
    assert!((dy[i_il2] - flux).abs() < 1e-12 * flux);
    assert!((dy[i_ctl] - (-0.1 * 1e5 - 0.5 * flux)).abs() < 1e-9);
    // The same model from its spec (a model file) is identical.
    let again = model.spec().clone().build()?;
    assert_eq!(again.derivative(0.0, again.initial_state())?, dy);
    let _ = tumor;
    Ok(())
}

/// The positional constructors stay for one release, deprecated, and build the same specs as
/// the named-field forms that replace them.
#[test]
#[allow(deprecated)]
fn the_positional_constructors_are_deprecated_equivalents() {
    assert_eq!(
        CellSpec::new("ctl", 1e6, 1e4, 0.04),
        CellSpec {
            name: "ctl".into(),
            initial: 1e6,
            source: 1e4,
            death: 0.04,
            ..Default::default()
        }
    );
    assert_eq!(
        DrugSpec::one_compartment("chemo", 13.5, 15.0),
        DrugSpec::new("chemo", OneCompartment { cl: 13.5, v: 15.0 })
    );
    assert_eq!(
        DrugSpec::two_compartment("pd1", 0.22, 3.48, 0.795, 4.06),
        DrugSpec::new(
            "pd1",
            TwoCompartment {
                cl: 0.22,
                v1: 3.48,
                q: 0.795,
                v2: 4.06
            }
        )
    );
}

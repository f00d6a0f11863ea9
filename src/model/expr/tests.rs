//! Expression tests: errors with positions, precedence by hand, evaluation against Rust
//! closures, derivatives against central differences, text and serde round trips.

use super::*;
use proptest::prelude::*;

/// Names `x`, `y`, `z` are states 0, 1, 2; `k` = 2.5 and `n` = 3 are parameters; `t` is time.
fn resolve(name: &str) -> Option<Operand> {
    match name {
        "x" => Some(Operand::State(0)),
        "y" => Some(Operand::State(1)),
        "z" => Some(Operand::State(2)),
        "k" => Some(Operand::Const(2.5)),
        "n" => Some(Operand::Const(3.0)),
        "t" => Some(Operand::Time),
        _ => None,
    }
}

fn program(source: &str) -> Program {
    Expression::parse(source)
        .and_then(|e| e.compile(resolve))
        .unwrap_or_else(|e| panic!("{source}: {e}"))
}

/// Expressions with their value as a Rust closure of (t, x, y, z).
type Case = (&'static str, fn(f64, f64, f64, f64) -> f64);

const CASES: [Case; 16] = [
    ("x + y * z", |_, x, y, z| x + y * z),
    ("-x^2", |_, x, _, _| -(x * x)),
    ("2^-1 * x", |_, x, _, _| 0.5 * x),
    ("x^y^0.5", |_, x, y, _| x.powf(y.powf(0.5))),
    ("x - y - z", |_, x, y, z| x - y - z),
    ("x / y / z", |_, x, y, z| x / y / z),
    ("k * x * y / (1e2 + x)", |_, x, y, _| {
        2.5 * x * y / (100.0 + x)
    }),
    ("hill(x, k, n)", |_, x, _, _| {
        x.powi(3) / (2.5f64.powi(3) + x.powi(3))
    }),
    ("exp(-0.1 * t) * ln(x) + log10(y)", |t, x, y, _| {
        (-0.1 * t).exp() * x.ln() + y.log10()
    }),
    ("sqrt(x * y) + abs(z - x)", |_, x, y, z| {
        (x * y).sqrt() + (z - x).abs()
    }),
    ("min(x, y) + max(y, z)", |_, x, y, z| x.min(y) + y.max(z)),
    ("pow(x, 1.5) * tanh(y)", |_, x, y, _| x.powf(1.5) * y.tanh()),
    (
        "1 / (1 + x * y * (y + 50.5 * z) / 1.365e-2)",
        |_, x, y, z| 1.0 / (1.0 + x * y * (y + 50.5 * z) / 1.365e-2),
    ),
    (
        "2.34 * (x / y)^2.09 / (8.39e-2 + (x / y)^2.09) * y",
        |_, x, y, _| {
            let r = (x / y).powf(2.09);
            2.34 * r / (8.39e-2 + r) * y
        },
    ),
    ("+x * 3E0 - .5", |_, x, _, _| x * 3.0 - 0.5),
    ("x^3 / y^-2", |_, x, y, _| x.powi(3) / y.powi(-2)),
];

#[test]
fn every_case_evaluates_as_its_rust_closure() {
    let points = [
        (0.0, 1.5, 2.0, 0.7),
        (3.0, 0.2, 5.0, 9.0),
        (10.0, 7.0, 0.9, 2.2),
    ];
    for (source, f) in CASES {
        let p = program(source);
        for &(t, x, y, z) in &points {
            let (got, want) = (p.eval(t, &[x, y, z]), f(t, x, y, z));
            assert!(
                (got - want).abs() <= 1e-14 * want.abs().max(1.0),
                "{source} at {:?}: {got} vs {want}",
                (t, x, y, z)
            );
        }
    }
}

#[test]
fn text_round_trips_through_parse_and_display() {
    for (source, _) in CASES {
        let e = Expression::parse(source).expect("parses");
        let again = Expression::parse(&e.to_string()).expect("its display parses");
        let (a, b) = (program(source), again.compile(resolve).expect("resolves"));
        let y = [1.3, 2.1, 0.4];
        assert_eq!(
            a.eval(2.0, &y).to_bits(),
            b.eval(2.0, &y).to_bits(),
            "{source} vs {e}"
        );
    }
}

#[test]
fn syntax_errors_name_their_position() {
    for (source, position) in [
        ("", 0),
        ("x +", 3),
        ("x * (y + z", 10),
        ("3 x", 2),
        ("x ** y", 3),
        ("1e+", 2),
        ("min(x y)", 6),
        ("(", 1),
        ("x + )", 4),
        ("#", 0),
    ] {
        match Expression::parse(source) {
            Err(ExprError::Syntax { position: p, .. }) => assert_eq!(p, position, "{source:?}"),
            other => panic!("{source:?}: {other:?}"),
        }
    }
}

#[test]
fn unknown_names_functions_and_arities_are_named() {
    let e = Expression::parse("k * ghost + x").expect("parses");
    assert!(matches!(
        e.compile(resolve),
        Err(ExprError::UnknownName { ref name, position: 4, .. }) if name == "ghost"
    ));
    assert!(matches!(
        Expression::parse("2 * cosh(x)"),
        Err(ExprError::UnknownFunction { ref name, position: 4, .. }) if name == "cosh"
    ));
    assert!(matches!(
        Expression::parse("hill(x, k)"),
        Err(ExprError::Arity {
            function: "hill",
            expected: 3,
            got: 2,
            ..
        })
    ));
    let message = Expression::parse("k * ghost + x")
        .and_then(|e| e.compile(resolve))
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("unknown name `ghost` at position 4"),
        "{message}"
    );
    assert!(message.ends_with("      ^"), "{message}");
}

#[test]
fn a_long_expression_is_quoted_as_a_window_and_a_deep_one_is_refused() {
    let long = format!("{} + )", "x + ".repeat(2_000));
    let message = Expression::parse(&long).unwrap_err().to_string();
    assert!(message.len() < 300, "{} characters", message.len());
    // Both operands compound at every level, so each level holds one more value on the stack.
    let deep = (0..40).fold("x*y".to_string(), |inner, _| format!("(x*y + {inner})"));
    let e = Expression::parse(&deep).expect("parses");
    assert!(matches!(e.compile(resolve), Err(ExprError::TooDeep { .. })));
    // Nesting that would exhaust the parser's call stack is a syntax error.
    for hostile in [
        "(".repeat(5_000),
        "-".repeat(5_000) + "x",
        "x^".repeat(4_000) + "x",
        "x + ".repeat(100_000) + "x",
    ] {
        assert!(matches!(
            Expression::parse(&hostile),
            Err(ExprError::Syntax { .. })
        ));
    }
}

#[test]
fn identifiers_states_and_time_are_reported() {
    let e = Expression::parse("k * x * y / (k + x) + t").expect("parses");
    assert_eq!(e.identifiers(), ["k", "x", "y", "t"]);
    let p = e.compile(resolve).expect("resolves");
    assert_eq!(p.states(), [0, 1]);
    assert!(p.uses_time());
    assert!(program("k * 2").is_constant());
}

#[test]
fn an_expression_round_trips_through_toml_as_its_text() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Holder {
        rate: Expression,
    }
    let holder = Holder {
        rate: Expression::parse("k*x/(1+  y)").expect("parses"),
    };
    let text = toml::to_string(&holder).expect("serializes");
    assert_eq!(text.trim(), r#"rate = "k*x/(1+  y)""#);
    assert_eq!(toml::from_str::<Holder>(&text).expect("reads back"), holder);
    let bad = toml::from_str::<Holder>("rate = \"x +\"")
        .unwrap_err()
        .to_string();
    assert!(bad.contains("expected") && bad.contains("line 1"), "{bad}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Symbolic derivatives against central differences with step h = 1e-6·max(|y_j|, 1),
    /// relative error bound 1e-5 (O(h²) truncation and ε/h rounding, with margin), at points
    /// where every case is smooth (positive arguments, arguments of min, max and abs apart).
    #[test]
    fn derivatives_match_central_differences(
        x in 0.5f64..5.0, y in 0.5f64..5.0, z in 0.5f64..5.0, t in 0.0f64..10.0
    ) {
        let point = [x, y, z];
        for (source, _) in CASES {
            let p = program(source);
            for j in 0..3 {
                if source.contains("min") || source.contains("abs") {
                    // Kinks: skip points within 1e-3 of them.
                    if (x - y).abs() < 1e-3 || (y - z).abs() < 1e-3 || (z - x).abs() < 1e-3 {
                        continue;
                    }
                }
                let h = 1e-6 * point[j].abs().max(1.0);
                let (mut up, mut down) = (point, point);
                up[j] += h;
                down[j] -= h;
                let fd = (p.eval(t, &up) - p.eval(t, &down)) / (2.0 * h);
                let exact = p.derivative(j).eval(t, &point);
                let scale = fd.abs().max(p.eval(t, &point).abs() / point[j].abs().max(1.0)).max(1e-12);
                prop_assert!((exact - fd).abs() <= 1e-5 * scale,
                    "{} ∂/∂{}: {} vs {}", source, j, exact, fd);
            }
        }
    }
}

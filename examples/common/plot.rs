//! The SVG plots of a study, written with plotters: tumor burden per arm (spaghetti with median
//! and 5–95% band), waterfall of best % change per arm, Kaplan–Meier curves of TTP.
//!
//! Only plotters' `svg_backend` is needed: text goes into the file as SVG `<text>` elements that
//! the viewer lays out with its own fonts, so no font files or `ttf` feature are involved
//! (plotters then estimates label widths with a fixed per-character width, good enough for
//! placing axis labels and the legend box).

use oncodyn::compare::{Response, StudyResult};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::error::Error;
use std::path::{Path, PathBuf};

/// Colorblind-safe colors (Okabe & Ito 2008), black first, yellow left out (too pale on white).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 0, 0),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
];

/// Patients drawn as thin lines in each spaghetti panel (the first ones by index: the
/// population is random, so they are a random sample).
const SPAGHETTI_PATIENTS: usize = 40;

/// Lowest tumor burden axis limit, cells: smaller values (an eradicated tumor is 0) are drawn
/// at the axis floor.
const BURDEN_FLOOR: f64 = 1.0;

/// Writes the three plots into `out` and returns their paths.
///
/// # Errors
/// A file cannot be written or the study's values cannot be summarized; the message names the
/// file.
pub fn write_all(out: &Path, result: &StudyResult) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    let plots: [(&str, Plot); 3] = [
        ("tumor_burden.svg", spaghetti),
        ("waterfall.svg", waterfall),
        ("ttp_km.svg", kaplan_meier),
    ];
    let mut written = Vec::new();
    for (name, draw) in plots {
        let path = out.join(name);
        draw(&path, result).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

type Plot = fn(&Path, &StudyResult) -> Result<(), Box<dyn Error>>;

/// Columns and rows of a grid of `n` panels.
fn grid(n: usize) -> (usize, usize) {
    let cols = if n <= 2 { n.max(1) } else { 3.min(n) };
    (cols, n.div_ceil(cols))
}

/// The panels of a grid for `n` arms, under a title band of `title_height` pixels.
fn panels<'a>(
    root: &DrawingArea<SVGBackend<'a>, Shift>,
    title: &str,
    n: usize,
) -> Result<Vec<DrawingArea<SVGBackend<'a>, Shift>>, Box<dyn Error>> {
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(44);
    top.titled(title, ("sans-serif", 22))?;
    let (cols, rows) = grid(n);
    Ok(body.split_evenly((rows, cols)))
}

/// The decade at or below `v` (`v` > 0).
fn decade_below(v: f64) -> f64 {
    10f64.powf(v.log10().floor())
}

/// The decade at or above `v` (`v` > 0).
fn decade_above(v: f64) -> f64 {
    10f64.powf(v.log10().ceil())
}

/// (a) Tumor burden over time, one panel per arm: a sample of patients as thin lines, the
/// median (thick) and the 5–95% band of every successful patient.
fn spaghetti(path: &Path, result: &StudyResult) -> Result<(), Box<dyn Error>> {
    let n_arms = result.arms.len();
    let (cols, rows) = grid(n_arms);
    let size = (460 * cols as u32, 340 * rows as u32 + 44);
    let times = &result.times;
    let t_max = times.last().copied().unwrap_or(1.0);
    let mut bands = Vec::with_capacity(n_arms);
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    let mut include = |w: f64| {
        if w > 0.0 && w.is_finite() {
            lo = lo.min(w);
            hi = hi.max(w);
        }
    };
    for arm in 0..n_arms {
        let q = result.burden_quantiles(arm, &[0.05, 0.5, 0.95])?;
        q.iter().flatten().for_each(|&w| include(w));
        for e in result.endpoints(arm).take(SPAGHETTI_PATIENTS) {
            e.burden.iter().for_each(|&w| include(w));
        }
        bands.push(q);
    }
    if hi <= 0.0 {
        return Err("no positive tumor burden to draw on a log axis".into());
    }
    let y_min = decade_below(lo).max(BURDEN_FLOOR);
    let y_max = decade_above(hi).max(y_min * 10.0);
    let below = |w: &f64| w.is_nan() || *w < y_min;
    let clipped = bands.iter().flatten().flatten().any(below)
        || (0..n_arms).any(|arm| {
            result
                .endpoints(arm)
                .take(SPAGHETTI_PATIENTS)
                .any(|e| e.burden.iter().any(below))
        });
    let mut title = format!(
        "Tumor burden: median (black), 5–95% band (blue), {SPAGHETTI_PATIENTS} patients (thin)"
    );
    if clipped {
        title.push_str(&format!(
            "; values below {y_min:.0e} cells drawn at the axis floor"
        ));
    }
    let root = SVGBackend::new(path, size).into_drawing_area();
    let areas = panels(&root, &title, n_arms)?;
    let band_color = RGBColor(0, 114, 178);
    for (arm, area) in areas.iter().enumerate().take(n_arms) {
        let mut chart = ChartBuilder::on(area)
            .caption(&result.arms[arm], ("sans-serif", 17))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(58)
            .build_cartesian_2d(0.0..t_max, (y_min..y_max).log_scale())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("time [days]")
            .y_desc("tumor [cells]")
            .axis_desc_style(("sans-serif", 14))
            .label_style(("sans-serif", 12))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .bold_line_style(RGBColor(215, 215, 215))
            .max_light_lines(0)
            .draw()?;
        let clamp = |v: f64| if v.is_finite() { v.max(y_min) } else { y_min };
        let band = &bands[arm];
        let mut polygon: Vec<(f64, f64)> = times
            .iter()
            .zip(band)
            .map(|(&t, q)| (t, clamp(q[2])))
            .collect();
        polygon.extend(times.iter().zip(band).rev().map(|(&t, q)| (t, clamp(q[0]))));
        chart.draw_series(std::iter::once(Polygon::new(
            polygon,
            band_color.mix(0.22).filled(),
        )))?;
        let thin = RGBColor(120, 120, 120).mix(0.45).stroke_width(1);
        for e in result.endpoints(arm).take(SPAGHETTI_PATIENTS) {
            chart.draw_series(LineSeries::new(
                times.iter().zip(&e.burden).map(|(&t, &w)| (t, clamp(w))),
                thin,
            ))?;
        }
        chart.draw_series(LineSeries::new(
            times.iter().zip(band).map(|(&t, q)| (t, clamp(q[1]))),
            BLACK.stroke_width(3),
        ))?;
    }
    root.present()?;
    Ok(())
}

/// Color of a best overall response in the waterfall.
fn response_color(r: Response) -> RGBColor {
    match r {
        Response::Complete => RGBColor(0, 90, 50),
        Response::Partial => RGBColor(0, 158, 115),
        Response::Stable => RGBColor(150, 150, 150),
        Response::Progressive => RGBColor(213, 94, 0),
        Response::NotEvaluable => RGBColor(204, 121, 167),
    }
}

/// Height of the legend band under the waterfall panels, pixels.
const LEGEND_HEIGHT: u32 = 60;

/// (b) Waterfall of best % change of the diameter per patient, one panel per arm, bars sorted
/// from largest growth to deepest shrinkage, colored by best overall response; reference lines
/// at −30 % (partial response) and +20 % (RECIST's relative progression threshold).
fn waterfall(path: &Path, result: &StudyResult) -> Result<(), Box<dyn Error>> {
    let n_arms = result.arms.len();
    let (cols, rows) = grid(n_arms);
    let size = (460 * cols as u32, 320 * rows as u32 + 44 + LEGEND_HEIGHT);
    let root = SVGBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE)?;
    let (main, legend) = root.split_vertically(size.1 - LEGEND_HEIGHT);
    let areas = panels(
        &main,
        "Best % change of tumor diameter from baseline, one bar per patient; dashed: −30% \
         (partial response) and +20%",
        n_arms,
    )?;
    let mut arms: Vec<Vec<(f64, Response)>> = Vec::with_capacity(n_arms);
    let mut top = 20.0f64;
    for arm in 0..n_arms {
        let bars = result.diameter_waterfall(arm);
        top = bars.iter().map(|b| b.0).fold(top, f64::max);
        arms.push(bars);
    }
    let y_max = (top / 10.0).ceil() * 10.0 + 10.0;
    for (arm, area) in areas.iter().enumerate().take(n_arms) {
        let bars = &arms[arm];
        let n = bars.len().max(1) as f64;
        let mut chart = ChartBuilder::on(area)
            .caption(&result.arms[arm], ("sans-serif", 17))
            .margin(10)
            .margin_right(22)
            .x_label_area_size(40)
            .y_label_area_size(52)
            .build_cartesian_2d(0.0..n, -100.0..y_max)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("patients, sorted")
            .y_desc("best change [%]")
            .axis_desc_style(("sans-serif", 14))
            .label_style(("sans-serif", 12))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .bold_line_style(RGBColor(225, 225, 225))
            .max_light_lines(0)
            .draw()?;
        chart.draw_series(bars.iter().enumerate().map(|(i, &(v, r))| {
            let x = i as f64;
            Rectangle::new([(x, 0.0), (x + 1.0, v)], response_color(r).filled())
        }))?;
        for y in [-30.0, 20.0] {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                vec![(0.0, y), (n, y)],
                6,
                4,
                BLACK.stroke_width(1),
            )))?;
        }
    }
    let entries = [
        Response::Complete,
        Response::Partial,
        Response::Stable,
        Response::Progressive,
        Response::NotEvaluable,
    ];
    let x0 = 20;
    for (k, r) in entries.iter().enumerate() {
        let x = x0 + 190 * k as i32;
        legend.draw(&Rectangle::new(
            [(x, 12), (x + 18, 28)],
            response_color(*r).filled(),
        ))?;
        let label = match r {
            Response::Complete => "complete response",
            Response::Partial => "partial response",
            Response::Stable => "stable disease",
            Response::Progressive => "progressive disease",
            Response::NotEvaluable => "not evaluable",
        };
        legend.draw(&Text::new(
            format!("{} ({label})", r.abbreviation()),
            (x + 24, 14),
            ("sans-serif", 13).into_font(),
        ))?;
    }
    legend.draw(&Text::new(
        "Color: best overall response (RECIST 1.1, assessed up to the first progression); \
         height: best change over the whole horizon, so a tumor that progressed before \
         shrinking is a deep PD bar.",
        (x0, 38),
        ("sans-serif", 13).into_font(),
    ))?;
    root.present()?;
    Ok(())
}

/// (c) Kaplan–Meier curves of time to progression, one per arm, with the median in the legend.
fn kaplan_meier(path: &Path, result: &StudyResult) -> Result<(), Box<dyn Error>> {
    let t_max = result.times.last().copied().unwrap_or(1.0);
    let root = SVGBackend::new(path, (1000, 640)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Time to progression (Kaplan–Meier; progression: diameter ≥ 1.2 × nadir and ≥ nadir + 5 mm)",
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..t_max, 0.0..1.02)?;
    chart
        .configure_mesh()
        .x_desc("time [days]")
        .y_desc("progression-free (fraction of patients)")
        .axis_desc_style(("sans-serif", 16))
        .label_style(("sans-serif", 14))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(RGBColor(245, 245, 245))
        .draw()?;
    for (arm, name) in result.arms.iter().enumerate() {
        let km = result.kaplan_meier(arm)?;
        let points = km.step_curve(t_max);
        let median = match km.median().estimate {
            Some(m) => format!("median {m:.0} d"),
            None => "median not reached".to_string(),
        };
        let color = PALETTE[arm % PALETTE.len()];
        let style = color.stroke_width(2);
        chart
            .draw_series(LineSeries::new(points, style))?
            .label(format!("{name} ({median})"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .draw()?;
    root.present()?;
    Ok(())
}

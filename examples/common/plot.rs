//! Line charts with a logarithmic y axis, written as SVG with plotters.
//!
//! Only plotters' `svg_backend` is needed: text goes into the file as SVG `<text>` elements that
//! the viewer lays out with its own fonts, so no font files or `ttf` feature are involved
//! (plotters then estimates label widths with a fixed per-character width, good enough for
//! placing axis labels and the legend box).

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::error::Error;
use std::path::Path;

/// One line of the chart: its legend label and its points `(x, y)`.
pub struct Line {
    /// Legend label.
    pub label: String,
    /// Points in x order; y must be positive to be drawn above the axis floor.
    pub points: Vec<(f64, f64)>,
    /// Dashed instead of solid: for a line that coincides with an earlier one over a stretch,
    /// so both stay visible there.
    pub dashed: bool,
}

/// What the chart shows: titles and axes.
pub struct LogChart<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// x axis label, with its unit.
    pub x_label: &'a str,
    /// y axis label, with its unit.
    pub y_label: &'a str,
    /// x axis limits.
    pub x_range: (f64, f64),
    /// Lowest y axis limit allowed; values below it (zero, negative or NaN too) are drawn at
    /// it, and the title says so.
    pub y_floor: f64,
    /// x positions of thin vertical guides (e.g. dose days), drawn in place of an x grid.
    pub x_guides: Vec<f64>,
}

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

/// The decade at or below `v` (`v` > 0).
fn decade_below(v: f64) -> f64 {
    10f64.powf(v.log10().floor())
}

/// The decade at or above `v` (`v` > 0).
fn decade_above(v: f64) -> f64 {
    10f64.powf(v.log10().ceil())
}

/// Writes `lines` to `path` as an SVG line chart of `width` × `height` pixels with a log y axis
/// spanning whole decades around the data (not below `chart.y_floor`), colored in order.
///
/// # Errors
/// The file cannot be written, or no line has a positive value to scale the axis by; the
/// message names `path`.
pub fn write_log_chart(
    path: &Path,
    size: (u32, u32),
    chart: &LogChart,
    lines: &[Line],
) -> Result<(), Box<dyn Error>> {
    draw(path, size, chart, lines).map_err(|e| format!("{}: {e}", path.display()).into())
}

fn draw(
    path: &Path,
    (width, height): (u32, u32),
    chart: &LogChart,
    lines: &[Line],
) -> Result<(), Box<dyn Error>> {
    let positive = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .filter(|y| *y > 0.0 && y.is_finite());
    let (lo, hi) = positive.fold((f64::INFINITY, 0.0f64), |(lo, hi), y| {
        (lo.min(y), hi.max(y))
    });
    if hi <= 0.0 {
        return Err("no positive value to draw on a log axis".into());
    }
    let y_min = decade_below(lo).max(chart.y_floor);
    let y_max = decade_above(hi).max(y_min * 10.0);
    let clipped = lines
        .iter()
        .flat_map(|l| &l.points)
        .any(|p| p.1.is_nan() || p.1 < y_min);

    let root = SVGBackend::new(path, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let title = if clipped {
        format!(
            "{} (values below {y_min:.0e} drawn at the axis floor)",
            chart.title
        )
    } else {
        chart.title.to_string()
    };
    let mut plot = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(chart.x_range.0..chart.x_range.1, (y_min..y_max).log_scale())?;
    plot.configure_mesh()
        .disable_x_mesh()
        .x_desc(chart.x_label)
        .y_desc(chart.y_label)
        .axis_desc_style(("sans-serif", 16))
        .label_style(("sans-serif", 14))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .bold_line_style(RGBColor(200, 200, 200))
        .light_line_style(RGBColor(240, 240, 240))
        .draw()?;
    let guide = RGBColor(170, 170, 170).stroke_width(1);
    for &x in &chart.x_guides {
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(x, y_min), (x, y_max)],
            guide,
        )))?;
    }

    for (i, line) in lines.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let style = color.stroke_width(2);
        let points = line.points.iter().map(|&(x, y)| (x, y.max(y_min)));
        let dashed = line.dashed;
        let drawn = if dashed {
            plot.draw_series(DashedLineSeries::new(points, 8, 4, style))?
        } else {
            plot.draw_series(LineSeries::new(points, style))?
        };
        drawn.label(line.label.as_str()).legend(move |(x, y)| {
            let swatch = vec![(x, y), (x + 28, y)];
            if dashed {
                DashedPathElement::new(swatch, 8, 4, style).into_dyn()
            } else {
                PathElement::new(swatch, style).into_dyn()
            }
        });
    }
    plot.configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .draw()?;
    root.present()?;
    Ok(())
}

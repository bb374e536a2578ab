//! `mechscope chart`: the charts of saved reports, drawn again as SVG or PNG without
//! running the model: a report from `--out`, or one the page downloaded. An AIS run of
//! an hour need not be repeated for a figure.

use crate::output::{ChartFiles, read_reports};
use anyhow::{Result, bail};
use mechscope_report::chart::RADAR_MAX_SERIES;
use mechscope_report::{MetricReport, Report};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ChartArgs {
    /// Reports of one metric (a file may hold a list of them, as the page's "Download
    /// the reports" does). Up to four LPP reports are overlaid, as the page compares runs;
    /// MUI and AIS reports are drawn one at a time.
    #[arg(required = true)]
    reports: Vec<PathBuf>,
    #[command(flatten)]
    charts: ChartFiles,
}

pub fn chart(args: ChartArgs) -> Result<()> {
    if !args.charts.wanted() {
        bail!("nothing to draw into: give --svg FILE and/or --png FILE");
    }
    let reports: Vec<Report> = read_reports(&args.reports)?
        .into_iter()
        .map(|(_, report)| report)
        .collect();
    if let [report] = reports.as_slice() {
        return match &report.metric {
            MetricReport::Mui(run) => crate::mui::write_chart(&args.charts, report, run),
            MetricReport::Ais(ais) => crate::ais::write_charts(&args.charts, &ais.runs),
            MetricReport::Lpp(run) => {
                crate::lpp::write_charts(&args.charts, &[(report.model.id.clone(), &**run)])
            }
        };
    }
    let runs: Vec<_> = reports.iter().filter_map(Report::lpp).collect();
    if runs.len() < reports.len() {
        bail!(
            "{} reports given, and only LPP reports are drawn together (overlaid); draw the \
             others one at a time, or fit the Utility Law over MUI reports with `mechscope law`",
            reports.len()
        );
    }
    if runs.len() > RADAR_MAX_SERIES {
        bail!(
            "{} LPP reports given; a chart tells at most {RADAR_MAX_SERIES} runs apart, so give \
             at most {RADAR_MAX_SERIES}",
            runs.len()
        );
    }
    let labelled: Vec<(String, _)> = reports
        .iter()
        .zip(runs)
        .enumerate()
        .map(|(i, (report, run))| (format!("#{} {}", i + 1, report.model.id), run))
        .collect();
    crate::lpp::write_charts(&args.charts, &labelled)
}

//! A chart's numbers as a table under it (what screen readers get, and what a reader
//! who wants exact values opens), with the table's CSV for download. The tables come
//! from `mechscope_report::table`, which computes them the way the charts draw.

use crate::download::blob_url_of;
use leptos::prelude::*;
use mechscope_report::table::{Cell, Table};

/// A number for reading: four significant digits, exponent form outside 1e-3..1e5.
fn readable(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value == 0.0 || value.fract() == 0.0 && value.abs() < 1e9 {
        format!("{value:.0}")
    } else if value.abs() >= 1e5 || value.abs() < 1e-3 {
        format!("{value:.3e}")
    } else {
        let digits = 3 - value.abs().log10().floor() as i32;
        format!("{value:.*}", digits.clamp(0, 6) as usize)
    }
}

/// `tables` in a closed `<details>`, each with a CSV link; `id` names the first table
/// (`{id}`, then `{id}-2`, ...) and its file.
#[component]
pub fn ChartTables(id: &'static str, tables: Vec<Table>) -> impl IntoView {
    if tables.is_empty() {
        return ().into_any();
    }
    let views = tables
        .into_iter()
        .enumerate()
        .map(|(i, table)| {
            let table_id = if i == 0 {
                id.to_string()
            } else {
                format!("{id}-{}", i + 1)
            };
            let csv = blob_url_of(&table.to_csv(), "text/csv");
            let file = format!("{table_id}.csv");
            view! {
                <table id=table_id.clone() class="chart-table">
                    <caption>{table.title.clone()}</caption>
                    <thead><tr>{table.columns.iter().map(|c| view! { <th>{c.header()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {table.rows.iter().map(|row| view! {
                            <tr>{row.iter().map(|cell| match cell {
                                Cell::Text(text) => view! { <td>{text.clone()}</td> }.into_any(),
                                Cell::Number(value) => view! { <td class="num" title=value.to_string()>{readable(*value)}</td> }.into_any(),
                                Cell::Empty => view! { <td class="num muted">"—"</td> }.into_any(),
                            }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {csv.map(|url| view! { <a class="csv" id=format!("{table_id}-csv") href=url download=file>"Download CSV"</a> })}
            }
        })
        .collect_view();
    view! {
        <details class="chart-tables">
            <summary>"The numbers as a table (CSV)"</summary>
            {views}
        </details>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn numbers_read_with_four_significant_digits() {
        assert_eq!(readable(0.0), "0");
        assert_eq!(readable(12.0), "12");
        assert_eq!(readable(0.311242), "0.3112");
        assert_eq!(readable(31.828463), "31.83");
        assert_eq!(readable(1234.5678), "1235");
        assert_eq!(readable(2.5e-5), "2.500e-5");
        assert_eq!(readable(f64::NAN), "NaN");
    }
}

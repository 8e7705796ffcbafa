//! An example for every command, shown at the end of its `--help`: officers learn a command
//! from one line that works on the seed case. One table, so a test can check that no command
//! is without one.

use clap::Command;

/// (command path, example), for every command.
pub const EXAMPLES: [(&str, &str); 82] = [
    (
        "unit import",
        "thidua unit import ../shared/data/units-2025.csv --scheme qd19-2025",
    ),
    ("unit list", "thidua unit list --search \"phung chi kien\""),
    ("unit get", "thidua unit get 01843"),
    (
        "unit create",
        "thidua unit create --code 01999 --name \"Tân Lập\" --kind ward --parent 058",
    ),
    (
        "unit update",
        "thidua unit update 01837 --name \"Sông Cầu\" --from 2025-01-01",
    ),
    (
        "unit link",
        "thidua unit link --kind merged_into --unit 01843 --related qd19-2025~01843 --act \"Nghị quyết 1683/NQ-UBTVQH15\" --date 2025-07-01",
    ),
    ("unit lineage", "thidua unit lineage 01843"),
    (
        "unit lineage import",
        "thidua unit lineage import ../shared/data/lineage-2025.csv --date 2025-07-01 --act \"Nghị quyết 1683/NQ-UBTVQH15\"",
    ),
    (
        "unit history",
        "thidua unit history qd19-2025~01843 --from 2022",
    ),
    (
        "cluster create",
        "thidua cluster create --name \"Cụm thi đua các xã, phường thành phố Bắc Kạn\" --organiser 058",
    ),
    ("cluster list", "thidua cluster list"),
    ("cluster get", "thidua cluster get bac-kan-city"),
    (
        "cluster update",
        "thidua cluster update bac-kan-city --description \"Tám phường, xã của thành phố\"",
    ),
    ("cluster delete", "thidua cluster delete cum-thu"),
    (
        "cluster transfer",
        "thidua cluster transfer bac-kan-city --to qd19-2025~19 --date 2025-07-01 --act \"Nghị quyết 202/2025/QH15\"",
    ),
    (
        "term create",
        "thidua term create bac-kan-city 2023 --member 01843 --member 01840",
    ),
    ("term show", "thidua term show bac-kan-city 2022"),
    ("term list", "thidua term list bac-kan-city"),
    (
        "term add-member",
        "thidua term add-member bac-kan-city 2023 01852",
    ),
    (
        "term remove-member",
        "thidua term remove-member bac-kan-city 2023 01852",
    ),
    (
        "term set-leader",
        "thidua term set-leader bac-kan-city 2023 --leader 01840 --method rotated --act \"Hội nghị cụm ngày 15/01/2023\"",
    ),
    (
        "term apply-table",
        "thidua term apply-table bac-kan-city 2023 bac-kan-2022",
    ),
    (
        "term advance",
        "thidua term advance bac-kan-city 2023 reporting",
    ),
    (
        "term deadline",
        "thidua term deadline bac-kan-city 2023 reporting 2023-12-15",
    ),
    ("term policy", "thidua term policy bac-kan-city 2023"),
    (
        "term set-policy",
        "thidua term set-policy bac-kan-city 2023 --tie-break subtotal:I --tie-break full_points",
    ),
    (
        "term reopen",
        "thidua term reopen bac-kan-city 2023 --reason \"Sửa kết quả của phường Đức Xuân\"",
    ),
    (
        "term carry-forward",
        "thidua term carry-forward bac-kan-city 2022 --to-year 2026 --dry-run",
    ),
    (
        "covenant export",
        "thidua covenant export bac-kan-city 2022 giao-uoc-2022.docx",
    ),
    ("covenant show", "thidua covenant show bac-kan-city 2022"),
    (
        "covenant draft",
        "thidua covenant draft bac-kan-city 2023 --theme \"Đoàn kết, đổi mới\" --place \"phường Đức Xuân\"",
    ),
    (
        "covenant sign",
        "thidua covenant sign bac-kan-city 2023 --unit 01843 --signatory \"Nông Văn Chí\" --title \"Chủ tịch UBND phường\"",
    ),
    (
        "covenant witness",
        "thidua covenant witness bac-kan-city 2023 --name \"Hoàng Thu Trang\" --title \"Phó Chủ tịch HĐND thành phố\"",
    ),
    (
        "table create",
        "thidua table create --title \"Bảng tiêu chí thi đua năm 2023\"",
    ),
    ("table list", "thidua table list"),
    (
        "table import",
        "thidua table import bac-kan-2023 bang-tieu-chi.xlsx",
    ),
    (
        "table export",
        "thidua table export bac-kan-2022 bang-tieu-chi.xlsx",
    ),
    ("table show", "thidua table show bac-kan-2022"),
    ("table publish", "thidua table publish bac-kan-2023"),
    ("table versions", "thidua table versions bac-kan-2022"),
    (
        "target set",
        "thidua target set bac-kan-city 2023 --criterion I.1 --unit 01843 --value 12500",
    ),
    ("target list", "thidua target list bac-kan-city 2023"),
    (
        "target import",
        "thidua target import bac-kan-city 2023 chi-tieu.xlsx",
    ),
    (
        "target export",
        "thidua target export bac-kan-city 2023 chi-tieu.xlsx",
    ),
    (
        "result submit",
        "thidua result submit bac-kan-city 2023 --unit 01843 --criterion I.1 --value 13000 --evidence \"Báo cáo 31/BC-UBND\"",
    ),
    (
        "result import",
        "thidua result import bac-kan-city 2023 ket-qua.xlsx",
    ),
    ("result list", "thidua result list bac-kan-city 2023"),
    (
        "score self",
        "thidua score self bac-kan-city 2023 --unit 01843 --criterion I.3 --points 5",
    ),
    (
        "score review",
        "thidua score review bac-kan-city 2023 --unit 01840 --criterion I.3 --points 4.5",
    ),
    (
        "score adjust",
        "thidua score adjust bac-kan-city 2023 --unit 01840 --criterion I.3 --points 5 --reason \"Hội đồng thống nhất\"",
    ),
    ("score list", "thidua score list bac-kan-city 2023"),
    (
        "scoreboard show",
        "thidua scoreboard show bac-kan-city 2022",
    ),
    (
        "scoreboard export",
        "thidua scoreboard export bac-kan-city 2022 bang-tong-hop-2022.xlsx",
    ),
    (
        "scoreboard watch",
        "thidua scoreboard watch bac-kan-city 2022",
    ),
    (
        "scoreboard decide",
        "thidua scoreboard decide bac-kan-city 2023 --unit 01840 --unit 01834 --by \"Hội nghị cụm\" --reason \"Bỏ phiếu phân hạng\"",
    ),
    (
        "scoreboard explain",
        "thidua scoreboard explain bac-kan-city 2022 01843",
    ),
    (
        "scoreboard share",
        "thidua scoreboard share bac-kan-city 2022 --valid 1d --label \"Hội nghị tổng kết năm 2022\"",
    ),
    (
        "scoreboard shares",
        "thidua scoreboard shares bac-kan-city 2022",
    ),
    (
        "scoreboard unshare",
        "thidua scoreboard unshare clusters/bac-kan-city/terms/2022/shares/0190a5…",
    ),
    (
        "award submission",
        "thidua award submission bac-kan-city 2022 to-trinh-2022.docx",
    ),
    (
        "award propose",
        "thidua award propose bac-kan-city 2022 --unit 01843 --kind provincial_flag",
    ),
    ("award list", "thidua award list bac-kan-city 2022"),
    (
        "award submit",
        "thidua award submit awards/01a2… --letter \"Tờ trình 12/TTr-CTĐ\"",
    ),
    (
        "award revoke",
        "thidua award revoke awards/01a2… --ground \"Khai man thành tích\" --act \"Quyết định 88/QĐ-UBND\"",
    ),
    (
        "ballot minutes",
        "thidua ballot minutes bac-kan-city 2022 bien-ban-kiem-phieu-2022.docx",
    ),
    (
        "ballot record",
        "thidua ballot record awards/01a2… --eligible 8 --present 8 --valid 8 --yes 7 --no 1",
    ),
    (
        "decision record",
        "thidua decision record --number \"215/QĐ-UBND\" --date 2023-02-10 --authority 06 --signer \"Chủ tịch UBND tỉnh Bắc Kạn\" --entry CTD_TINH --approve awards/01a2…",
    ),
    ("decision list", "thidua decision list --year 2022"),
    (
        "decision export",
        "thidua decision export so-khen-thuong-2022.xlsx --year 2022",
    ),
    (
        "decision import",
        "thidua decision import quyet-dinh-cac-nam-truoc.xlsx",
    ),
    ("catalogue show", "thidua catalogue show --year 2026"),
    ("catalogue versions", "thidua catalogue versions"),
    (
        "catalogue put",
        "thidua catalogue put danh-muc.csv --from-year 2026 --note \"Quy chế thi đua tỉnh năm 2026\"",
    ),
    (
        "key create",
        "thidua key create --label \"Văn thư phường Đức Xuân\" --role reporter --scope 01840",
    ),
    ("key list", "thidua key list"),
    ("key revoke", "thidua key revoke keys/01a2…"),
    ("whoami", "thidua whoami"),
    ("audit list", "thidua audit list --limit 20"),
    ("audit verify", "thidua audit verify"),
    (
        "audit checkpoint",
        "thidua audit checkpoint --out moc-nhat-ky.json",
    ),
    (
        "login",
        "thidua login --server https://thidua.backan.gov.vn --profile bac-kan",
    ),
    (
        "completions",
        "thidua completions bash > /etc/bash_completion.d/thidua",
    ),
];

/// `command` with each subcommand's example after its help.
pub fn with_examples(mut command: Command) -> Command {
    for (path, example) in EXAMPLES {
        command = attach(command, &path.split(' ').collect::<Vec<_>>(), example);
    }
    command
}

fn attach(command: Command, path: &[&str], example: &str) -> Command {
    match path {
        [] => command.after_help(format!("Ví dụ (example):\n  {example}")),
        [first, rest @ ..] => command.mut_subcommand(*first, |sub| attach(sub, rest, example)),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn leaves(command: &Command, path: String, out: &mut Vec<String>) {
        let subs: Vec<&Command> = command
            .get_subcommands()
            .filter(|s| s.get_name() != "help")
            .collect();
        if subs.is_empty() {
            out.push(path);
            return;
        }
        for s in subs {
            let p = if path.is_empty() {
                s.get_name().to_owned()
            } else {
                format!("{path} {}", s.get_name())
            };
            leaves(s, p, out);
        }
    }

    #[test]
    fn every_command_has_an_example_that_names_it() {
        let mut all = Vec::new();
        leaves(&crate::Cli::command(), String::new(), &mut all);
        assert!(all.len() > 70, "{}", all.len());
        let mut command = with_examples(crate::Cli::command());
        for path in &all {
            let (_, example) = EXAMPLES
                .iter()
                .find(|(p, _)| p == path)
                .unwrap_or_else(|| panic!("`thidua {path}` has no example"));
            assert!(
                example.starts_with(&format!("thidua {path}")),
                "{path}: {example}"
            );
            let mut at = &mut command;
            for word in path.split(' ') {
                at = at
                    .find_subcommand_mut(word)
                    .unwrap_or_else(|| panic!("{path}"));
            }
            assert!(
                at.render_long_help().to_string().contains(example),
                "{path}"
            );
        }
    }

    /// The words of an example as a shell splits them (double quotes group; a redirection
    /// ends the command).
    fn words(example: &str) -> Vec<String> {
        let mut out = Vec::new();
        let (mut word, mut quoted, mut any) = (String::new(), false, false);
        for c in example.split(" > ").next().unwrap_or(example).chars() {
            match c {
                '"' => {
                    quoted = !quoted;
                    any = true;
                }
                ' ' if !quoted => {
                    if any {
                        out.push(std::mem::take(&mut word));
                        any = false;
                    }
                }
                c => {
                    word.push(c);
                    any = true;
                }
            }
        }
        if any {
            out.push(word);
        }
        out
    }

    #[test]
    fn every_example_parses() {
        for (path, example) in EXAMPLES {
            let parsed = <crate::Cli as clap::Parser>::try_parse_from(words(example));
            assert!(parsed.is_ok(), "{path}: {example}: {:?}", parsed.err());
        }
    }
}

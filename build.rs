// sqlx::migrate! embeds the migration files at compile time; cargo does not notice
// new files in that folder without this.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

//! Models a gem or Rails itself defines over the app's database: the app names them by their
//! full class name (`Delayed::Job.where(failed_at: nil)`) and reopens them (`class Delayed::Job`
//! with scopes in an initializer) without declaring them.

/// (class, table) of each, from the libraries' own sources: delayed_job_active_record
/// (`Delayed::Backend::ActiveRecord::Job`, `Delayed::Job` once the backend is set), Active
/// Storage, Action Text, Action Mailbox, paper_trail, acts-as-taggable-on, Doorkeeper, audited,
/// GoodJob, Solid Queue and Solid Cache with their default table names, public_activity.
pub const LIBRARY_MODELS: &[(&str, &str)] = &[
    ("Delayed::Job", "delayed_jobs"),
    ("Delayed::Backend::ActiveRecord::Job", "delayed_jobs"),
    ("ActiveStorage::Blob", "active_storage_blobs"),
    ("ActiveStorage::Attachment", "active_storage_attachments"),
    ("ActiveStorage::VariantRecord", "active_storage_variant_records"),
    ("ActionText::RichText", "action_text_rich_texts"),
    ("ActionMailbox::InboundEmail", "action_mailbox_inbound_emails"),
    ("PaperTrail::Version", "versions"),
    ("ActsAsTaggableOn::Tag", "tags"),
    ("ActsAsTaggableOn::Tagging", "taggings"),
    ("Doorkeeper::Application", "oauth_applications"),
    ("Doorkeeper::AccessToken", "oauth_access_tokens"),
    ("Doorkeeper::AccessGrant", "oauth_access_grants"),
    ("Audited::Audit", "audits"),
    ("GoodJob::Job", "good_jobs"),
    ("SolidQueue::Job", "solid_queue_jobs"),
    ("SolidCache::Entry", "solid_cache_entries"),
    ("PublicActivity::Activity", "activities"),
];

/// (method, class) of a library's writer that any record of the app may call, whose keyword
/// arguments are the attributes of the library model's row it writes: public_activity's
/// `PublicActivity::Common#create_activity(key: "post.created", owner: user)`.
const LIBRARY_WRITERS: &[(&str, &str)] = &[("create_activity", "PublicActivity::Activity")];

/// The library model a writer of [`LIBRARY_WRITERS`] called `method` writes.
pub(super) fn library_writer(method: &str) -> Option<&'static str> {
    LIBRARY_WRITERS.iter().find(|(m, _)| *m == method).map(|(_, class)| *class)
}

/// Whether `class` (as written, a leading `::` aside) names a library's model.
pub(super) fn is_library_model(class: &str) -> bool {
    let class = class.trim_start_matches("::");
    LIBRARY_MODELS.iter().any(|(c, _)| *c == class)
}

/// Whether a file names a library's model or calls its writer: its uses resolve through no model of the app, so
/// screening cannot wait for one.
pub(super) fn names_library_model(source: &str) -> bool {
    let names = |name: &str| memchr::memmem::find(source.as_bytes(), name.as_bytes()).is_some();
    LIBRARY_MODELS.iter().any(|(class, _)| names(class)) || LIBRARY_WRITERS.iter().any(|(method, _)| names(method))
}

/// One file of the sample mailbox.
struct SampleFile {
    let entryPath: String
    let bytes: [UInt8]
    let modificationTime: Int
}

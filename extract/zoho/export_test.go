package zoho

// SetBatchRows makes streams cut batches of n rows until restore is called.
func SetBatchRows(n int) (restore func()) {
	old := batchRows
	batchRows = n
	return func() { batchRows = old }
}

// ColumnNames exposes columnNames.
var ColumnNames = columnNames

// EncodeFields and DecodeFields expose the cursor's field encoding.
var (
	EncodeFields  = encodeFields
	DecodeFields  = decodeFields
	ModuleColumns = moduleColumns
)

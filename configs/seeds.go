package configs

import "embed"

// Seeds holds the lookup tables revops ships (seeds/*.csv): the normalized
// deal stages and the maps from each CRM's stage, lead status, lead source,
// ticket status and ticket priority picklist values onto them. `revops
// build` loads each file into seeds.<file name>; users edit their own copy
// to map custom picklist values.
//
//go:embed seeds/*.csv
var Seeds embed.FS

package sqlite

import (
	"testing"

	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

func TestImportConformance(t *testing.T) {
	storetest.RunImports(t, func(t *testing.T) storetest.ImportStore { return openFresh(t) })
}

package diff

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/registry"
)

// TestOCIChart pushes chart versions with Helm's registry client to a real OCI
// registry (distribution's, in memory, on loopback over TLS) and pulls them as an
// oci:// HelmRepository's chart is pulled: by exact version and by constraint.
func TestOCIChart(t *testing.T) {
	cfg := &configuration.Configuration{Storage: configuration.Storage{"inmemory": configuration.Parameters{}}}
	cfg.HTTP.Secret = "test"
	srv := httptest.NewTLSServer(handlers.NewApp(context.Background(), cfg))
	defer srv.Close()
	opts := []registry.ClientOption{registry.ClientOptHTTPClient(srv.Client())}
	client, err := registry.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "https://")
	for _, version := range []string{"0.1.0", "0.2.0", "1.0.0"} {
		root := writeChart(t, map[string]string{
			"web/Chart.yaml":        "apiVersion: v2\nname: web\nversion: " + version + "\n",
			"web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  version: " + version + "\n",
		})
		ch, err := loader.Load(filepath.Join(root, "web"))
		if err != nil {
			t.Fatal(err)
		}
		archive, err := chartutil.Save(ch, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(archive)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.Push(data, host+"/charts/web:"+version); err != nil {
			t.Fatalf("push %s: %v", version, err)
		}
	}
	for _, tc := range []struct{ version, want string }{{"0.2.0", "0.2.0"}, {"<1.0.0", "0.2.0"}, {"", "1.0.0"}} {
		data, got, err := ociArchive("oci://"+host+"/charts", "web", tc.version, opts...)
		if err != nil {
			t.Fatalf("version %q: %v", tc.version, err)
		}
		ch, err := loader.LoadArchive(strings.NewReader(string(data)))
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want || ch.Metadata.Version != tc.want {
			t.Errorf("version %q: pulled %s (chart %s), want %s", tc.version, got, ch.Metadata.Version, tc.want)
		}
	}
	if _, _, err := ociArchive("oci://"+host+"/charts", "web", "2.0.0", opts...); err == nil {
		t.Error("a version the registry does not hold was pulled")
	}
}

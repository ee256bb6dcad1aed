// decode-peer: decodes watch-event lines (one JSON event per line, as a watch stream carries them)
// with client-go's own watch decoding, for a side-by-side figure with `tend-bench json-decode`.
// Both read the files `tend-bench write-events DIR` writes, so they decode the same bytes.
//
// Modes:
//
//	typed        the typed clientset's path: the JSON framer, the streaming decoder of metav1.WatchEvent,
//	             then the embedded object into its Go type (corev1.Pod, corev1.ConfigMap)
//	unstructured the dynamic client's path: the same envelope, then the object into
//	             unstructured.Unstructured (map[string]interface{})
//
// Built inside the Kubernetes source tree the local control plane comes from; see build.sh.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	jsonserializer "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/runtime/serializer/streaming"
	"k8s.io/client-go/kubernetes/scheme"
	restclientwatch "k8s.io/client-go/rest/watch"
)

// decodeAll decodes every event in data and returns how many it decoded.
func decodeAll(data []byte, embedded runtime.Decoder) int {
	serializer := jsonserializer.NewSerializerWithOptions(jsonserializer.DefaultMetaFactory, scheme.Scheme, scheme.Scheme, jsonserializer.SerializerOptions{})
	frames := jsonserializer.Framer.NewFrameReader(ioutil.NopCloser(bytes.NewReader(data)))
	decoder := restclientwatch.NewDecoder(streaming.NewDecoder(frames, serializer), embedded)
	n := 0
	for {
		_, obj, err := decoder.Decode()
		if err == io.EOF {
			return n
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "decode:", err)
			os.Exit(1)
		}
		if obj == nil {
			fmt.Fprintln(os.Stderr, "decode: no object")
			os.Exit(1)
		}
		n++
	}
}

func main() {
	mode := flag.String("mode", "typed", "typed|unstructured")
	file := flag.String("file", "", "events file (JSON lines)")
	name := flag.String("name", "events", "label for the output line")
	seconds := flag.Float64("seconds", 3, "measure for about this long; the best pass counts")
	flag.Parse()
	data, err := ioutil.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var embedded runtime.Decoder = scheme.Codecs.UniversalDeserializer()
	if *mode == "unstructured" {
		embedded = unstructured.UnstructuredJSONScheme
	}
	best := time.Duration(1 << 62)
	events := 0
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	for passes := 0; passes < 3 || time.Now().Before(deadline); passes++ {
		start := time.Now()
		events = decodeAll(data, embedded)
		if d := time.Since(start); d < best {
			best = d
		}
	}
	s := best.Seconds()
	fmt.Printf("peer=client-go json-decode-watch-%s mode=%s mb_per_s=%d events_per_s=%d\n", *name, *mode, int(float64(len(data))/s/1e6), int(float64(events)/s))
}

package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// post is gqlgen's POST transport with one difference: an answer is
// written with its data as the executor built it, instead of through
// encoding/json, which compacts and re-validates every byte of a raw
// message (a quarter of the server's CPU on a page of nested records).
// Requests that do not reach execution (unreadable bodies, parse and
// validation errors) are handed to transport.POST whole, so their status
// codes and bodies are gqlgen's.
type post struct{ transport.POST }

// Do implements graphql.Transport.
func (h post) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		h.delegate(w, r, body, exec)
		return
	}
	params := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		h.delegate(w, r, body, exec)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	ctx := r.Context()
	oc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		h.delegate(w, r, body, exec)
		return
	}
	w.Header().Set("Content-Type", responseContentType(r))
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, responses(ctx))
}

// delegate hands a request, its body already read, to transport.POST.
func (h post) delegate(w http.ResponseWriter, r *http.Request, body []byte, exec graphql.GraphExecutor) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.POST.Do(w, r, exec)
}

// responseContentType is the media type of the answer, as transport.POST
// chooses it from the Accept header.
func responseContentType(r *http.Request) string {
	const graphqlResponse = "application/graphql-response+json"
	accept := r.Header.Get("Accept")
	if accept == "" {
		return "application/json"
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", "application/json":
			return "application/json"
		case graphqlResponse:
			return graphqlResponse
		}
	}
	return graphqlResponse
}

// writeResponse writes {"errors": …, "data": …} with the data as built.
// Incremental delivery and extensions, which this API does not send, go
// through encoding/json.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp.Label != "" || resp.Path != nil || resp.HasNext != nil || len(resp.Extensions) > 0 {
		b, _ := json.Marshal(resp)
		_, _ = w.Write(b)
		return
	}
	var out bytes.Buffer
	out.Grow(len(resp.Data) + 32)
	out.WriteByte('{')
	if len(resp.Errors) > 0 {
		errs, _ := json.Marshal(resp.Errors)
		out.WriteString(`"errors":`)
		out.Write(errs)
		out.WriteByte(',')
	}
	out.WriteString(`"data":`)
	if len(resp.Data) == 0 {
		out.WriteString("null")
	} else {
		out.Write(resp.Data)
	}
	out.WriteByte('}')
	_, _ = w.Write(out.Bytes())
}

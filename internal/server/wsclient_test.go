package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// wsClient speaks graphql-transport-ws to the fixture's API.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// subscribe opens a websocket with the token, and starts the subscription.
// It fails the test unless the connection is acknowledged.
func (f *fixture) subscribe(token, query string, vars map[string]any) *wsClient {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	f.t.Cleanup(cancel)
	url := "ws" + strings.TrimPrefix(f.url, "http")
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { conn.CloseNow() })
	c := &wsClient{t: f.t, conn: conn, ctx: ctx}
	c.send(wsMessage{Type: "connection_init", Payload: mustJSON(map[string]any{"Authorization": "Bearer " + token})})
	if m := c.read(); m.Type != "connection_ack" {
		f.t.Fatalf("connection_init answered %+v; want connection_ack", m)
	}
	c.send(wsMessage{ID: "1", Type: "subscribe", Payload: mustJSON(map[string]any{"query": query, "variables": vars})})
	return c
}

func (c *wsClient) send(m wsMessage) {
	c.t.Helper()
	if err := wsjson.Write(c.ctx, c.conn, m); err != nil {
		c.t.Fatal(err)
	}
}

// read returns the next message other than a ping or pong; a closed
// connection reads as a message of type "closed".
func (c *wsClient) read() wsMessage {
	c.t.Helper()
	for {
		var m wsMessage
		if err := wsjson.Read(c.ctx, c.conn, &m); err != nil {
			return wsMessage{Type: "closed", Payload: mustJSON(err.Error())}
		}
		if m.Type == "ping" {
			c.send(wsMessage{Type: "pong"})
			continue
		}
		if m.Type != "pong" {
			return m
		}
	}
}

// next returns the data of the subscription's next result.
func (c *wsClient) next() (map[string]any, wsMessage) {
	c.t.Helper()
	m := c.read()
	if m.Type != "next" {
		return nil, m
	}
	var p struct {
		Data   map[string]any
		Errors []gqlError
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		return nil, m
	}
	return p.Data, m
}

// Command crm is the headless CRM: it serves the GraphQL API and administers
// organizations, tokens, data and analytics from the command line.
//
//	crm serve [--addr 127.0.0.1:8080] [--database-url URL] [--demo] [--dev]
//	crm migrate
//	crm seed --org SLUG [--contacts N] [--seed S]
//	crm org create --name N --admin-email E --admin-password P
//	crm token create --org SLUG --name N --scopes contacts:read,deals:write [--expires 90d]
//	crm import purchases --org SLUG [--format csv|cdnow] FILE
//	crm import contacts --org SLUG [--phases] FILE|-
//	crm analytics refresh --org SLUG [--as-of YYYY-MM-DD] [--phases]
//	crm alerts run --org SLUG | --all
//	crm export segment --org SLUG --segment NAME|ID [--out FILE]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `crm — a headless CRM that knows what every customer is worth.

Usage:
  crm serve   [--addr ADDR] [--database-url URL] [--demo] [--dev]
  crm migrate [--database-url URL]
  crm seed    --org SLUG [--contacts N] [--seed S]
  crm org create   --name NAME --admin-email EMAIL --admin-password PASSWORD
  crm token create --org SLUG --name NAME --scopes SCOPES [--expires DURATION]
  crm import contacts --org SLUG [--phases] FILE|-   (CSV; --help lists the columns)

Configuration (flags win over the environment):
  --addr          CRM_ADDR          listen address (default 127.0.0.1:8080)
  --database-url  DATABASE_URL      postgres://… or sqlite:PATH (default: SQLite in the data dir)
                  CRM_DATA_DIR      data directory of the embedded database (default ./data)
                  CRM_JWT_SECRET    access-token signing secret (default: generated into the data dir)
                  CRM_CORS_ORIGINS  comma-separated browser origins allowed to call the API
                  CRM_CPUPROFILE    write a CPU profile of the command to this file
`

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile, err := startProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "crm:", err)
		os.Exit(1)
	}
	err = run(ctx, os.Args[1:])
	stopProfile()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "crm:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest)
	case "migrate":
		return migrate(ctx, rest)
	case "seed":
		return seed(ctx, rest)
	case "org":
		return sub(ctx, "org", rest, map[string]func(context.Context, []string) error{"create": orgCreate})
	case "token":
		return sub(ctx, "token", rest, map[string]func(context.Context, []string) error{"create": tokenCreate})
	case "import":
		return sub(ctx, "import", rest, map[string]func(context.Context, []string) error{"purchases": importPurchases, "contacts": importContacts})
	case "export":
		return sub(ctx, "export", rest, map[string]func(context.Context, []string) error{"segment": exportSegment})
	case "analytics":
		return sub(ctx, "analytics", rest, map[string]func(context.Context, []string) error{"refresh": refreshAnalytics})
	case "alerts":
		return sub(ctx, "alerts", rest, map[string]func(context.Context, []string) error{"run": runAlerts})
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func sub(ctx context.Context, name string, args []string, cmds map[string]func(context.Context, []string) error) error {
	if len(args) > 0 {
		if f, ok := cmds[args[0]]; ok {
			return f(ctx, args[1:])
		}
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("%s: want one of the subcommands listed above", name)
}

package identity

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/organization"
	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/segment"
	"github.com/headlesscrm/crm/internal/tenant"
	"github.com/headlesscrm/crm/internal/txn"
)

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify turns an organization name into a URL-safe handle.
func Slugify(name string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 40 {
		s = strings.Trim(s[:40], "-")
	}
	if s == "" {
		s = "org"
	}
	return s
}

// CreateOrganization creates an organization with a unique slug derived
// from its name, and its first user, an OWNER.
func (s *Service) CreateOrganization(ctx context.Context, name, adminEmail, adminPassword string) (*ent.Organization, *ent.User, error) {
	if strings.TrimSpace(name) == "" {
		return nil, nil, errs.Input("name", "name must not be empty")
	}
	if err := auth.ValidatePassword(adminPassword); err != nil {
		return nil, nil, errs.Input("password", "%s", err.Error())
	}
	hash, err := auth.HashPassword(adminPassword)
	if err != nil {
		return nil, nil, err
	}
	sys := tenant.WithSystem(ctx)
	base := Slugify(name)
	slug := base
	for i := 2; ; i++ {
		taken, err := s.client.Organization.Query().Where(organization.Slug(slug)).Exist(sys)
		if err != nil {
			return nil, nil, err
		}
		if !taken {
			break
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
	var org *ent.Organization
	var owner *ent.User
	err = txn.Run(sys, s.client, func(sys context.Context, tx *ent.Client) error {
		var err error
		org, err = tx.Organization.Create().SetName(strings.TrimSpace(name)).SetSlug(slug).Save(sys)
		if err != nil {
			return err
		}
		owner, err = tx.User.Create().
			SetOrganizationID(org.ID).
			SetEmail(adminEmail).
			SetName("Owner").
			SetRole(user.RoleOWNER).
			SetPasswordHash(hash).
			Save(sys)
		return err
	})
	if err != nil {
		return nil, nil, errs.From(err)
	}
	if err := segment.EnsureBuiltins(tenant.WithOrganization(ctx, org.ID.String()), s.client); err != nil {
		return nil, nil, err
	}
	return org, owner, nil
}

// OrganizationBySlug returns the organization with the slug.
func (s *Service) OrganizationBySlug(ctx context.Context, slug string) (*ent.Organization, error) {
	org, err := s.client.Organization.Query().Where(organization.Slug(slug)).Only(tenant.WithSystem(ctx))
	if ent.IsNotFound(err) {
		return nil, errs.New(errs.NotFound, "no organization with slug %q", slug)
	}
	return org, err
}

// CheckRoleChange enforces who may give which role: only an OWNER may make
// someone an OWNER or change or deactivate an OWNER, and nobody changes
// their own role or deactivates themselves.
func CheckRoleChange(caller *auth.Viewer, target *ent.User, newRole *user.Role, deactivate bool) error {
	if target != nil && caller.UserID == target.ID.String() && ((newRole != nil && *newRole != target.Role) || deactivate) {
		return errs.New(errs.Forbidden, "you cannot change your own role or deactivate yourself")
	}
	owner := caller.Role == auth.RoleOwner
	if newRole != nil && *newRole == user.RoleOWNER && !owner {
		return &errs.Error{Code: errs.Forbidden, Field: "role", Message: "only an OWNER may make someone an OWNER"}
	}
	if target != nil && target.Role == user.RoleOWNER && !owner && ((newRole != nil && *newRole != user.RoleOWNER) || deactivate) {
		return errs.New(errs.Forbidden, "only an OWNER may change or deactivate an OWNER")
	}
	return nil
}

// UpdateUser changes a user of the organization of ctx on behalf of caller.
func (s *Service) UpdateUser(ctx context.Context, caller *auth.Viewer, id pulid.ID, input ent.UpdateUserInput) (*ent.User, error) {
	target, err := s.client.User.Get(ctx, id)
	if err != nil {
		return nil, errs.From(err)
	}
	deactivate := input.Active != nil && !*input.Active
	if err := CheckRoleChange(caller, target, input.Role, deactivate); err != nil {
		return nil, err
	}
	return s.client.User.UpdateOne(target).SetInput(input).Save(ctx)
}

// CreateUserAs adds a user to the organization of ctx on behalf of caller,
// who may not grant a role above what CheckRoleChange allows.
func (s *Service) CreateUserAs(ctx context.Context, caller *auth.Viewer, email, name string, role user.Role, password string) (*ent.User, error) {
	if err := CheckRoleChange(caller, nil, &role, false); err != nil {
		return nil, err
	}
	return s.CreateUser(ctx, email, name, role, password)
}

// CreateUser adds a user to the organization of ctx; used by the command
// line and the demo, which act as the organization's administrator.
func (s *Service) CreateUser(ctx context.Context, email, name string, role user.Role, password string) (*ent.User, error) {
	if err := auth.ValidatePassword(password); err != nil {
		return nil, errs.Input("password", "%s", err.Error())
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	u, err := s.client.User.Create().SetEmail(email).SetName(name).SetRole(role).SetPasswordHash(hash).Save(ctx)
	if err != nil {
		return nil, errs.From(err)
	}
	return u, nil
}

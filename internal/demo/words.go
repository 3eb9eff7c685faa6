package demo

// The small built-in word lists the demo data is made of. Names are ASCII so
// that they make plausible email addresses; every domain is reserved for
// documentation (RFC 2606), so no demo address can ever reach a real inbox.

var femaleNames = []string{
	"Olivia", "Emma", "Ava", "Sophia", "Isabella", "Mia", "Charlotte", "Amelia", "Harper", "Evelyn",
	"Abigail", "Emily", "Ella", "Grace", "Chloe", "Camila", "Penelope", "Layla", "Nora", "Zoe",
	"Hannah", "Lily", "Aria", "Maya", "Leah", "Sara", "Anna", "Elena", "Lucia", "Ines",
	"Priya", "Aisha", "Fatima", "Mei", "Yuki", "Hana", "Ingrid", "Astrid", "Freya", "Sofia",
	"Julia", "Clara", "Laura", "Marta", "Nadia", "Olga", "Irina", "Amara", "Zainab", "Chiara",
	"Greta", "Lena", "Mila", "Naomi", "Rosa", "Tara", "Vera", "Yasmin", "Keiko", "Daniela",
}

var maleNames = []string{
	"Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry", "Theodore",
	"Jack", "Levi", "Alexander", "Mateo", "Daniel", "Michael", "Mason", "Sebastian", "Ethan", "Logan",
	"Owen", "Samuel", "Jacob", "Leo", "David", "Joseph", "Carlos", "Diego", "Marco", "Luca",
	"Arjun", "Rahul", "Omar", "Yusuf", "Kenji", "Hiroshi", "Wei", "Jin", "Lars", "Erik",
	"Felix", "Jonas", "Paul", "Tomas", "Pavel", "Ivan", "Kwame", "Tunde", "Andre", "Rafael",
	"Hugo", "Emil", "Anton", "Victor", "Adrian", "Nikolai", "Malik", "Tariq", "Kofi", "Stefan",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
	"Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch",
	"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Dubois", "Moreau", "Laurent", "Lefebvre",
	"Jansen", "de Vries", "Bakker", "Visser", "Nielsen", "Hansen", "Larsen", "Andersson", "Johansson", "Lindqvist",
	"Kowalski", "Nowak", "Novak", "Horvat", "Ivanov", "Petrov", "Popescu", "Papadopoulos", "Yilmaz", "Kaya",
	"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Kim", "Park", "Choi", "Chen", "Wang",
	"Li", "Zhang", "Liu", "Singh", "Kumar", "Patel", "Shah", "Gupta", "Khan", "Ali",
	"Okafor", "Mensah", "Adeyemi", "Mwangi", "Silva", "Santos", "Oliveira", "Costa", "Pereira", "Almeida",
	"O'Brien", "Murphy", "Kelly", "Walsh", "Byrne", "Fraser", "Douglas", "Stewart", "Reid", "Morgan",
}

// companyFirst and companySecond combine into a company's distinctive name
// ("Blue Harbor"); a word of its industry follows ("Blue Harbor Foods").
var companyFirst = []string{
	"Blue", "Red", "Green", "Silver", "Golden", "North", "South", "East", "West", "Bright",
	"Clear", "Swift", "Summit", "Pioneer", "Atlas", "Apex", "Cedar", "Maple", "Oak", "Pine",
	"River", "Lake", "Harbor", "Stone", "Iron", "Copper", "Crystal", "Sun", "Star", "Moon",
	"Alpine", "Coastal", "Prairie", "Urban", "Metro", "Nova", "Prime", "Vertex", "Orbit", "Polar",
	"Quantum", "Evergreen", "Highland", "Falcon", "Eagle", "Fox", "Wolf", "Bear", "Lion", "Otter",
}

var companySecond = []string{
	"Harbor", "Bridge", "Field", "Point", "Ridge", "Crest", "Wave", "Leaf", "Peak", "Gate",
	"Line", "Path", "Works", "Forge", "Stream", "Rock", "Valley", "Bay", "Wood", "Light",
	"Spring", "Brook", "Haven", "Port", "Mark", "Well", "Stone", "Wind", "Fire", "Sky",
	"Dale", "Ford", "Hill", "Vale", "Shore", "Star", "Grove", "Land", "Way", "Mill",
}

// industry is a line of business, with words for its companies' names and
// its typical revenue per employee in dollars.
type industry struct {
	name      string
	words     []string
	revPerEmp float64
}

var industries = []industry{
	{"Software", []string{"Software", "Systems", "Labs", "Digital", "Technologies", "Cloud"}, 250000},
	{"Manufacturing", []string{"Manufacturing", "Industries", "Engineering", "Components", "Fabrication"}, 180000},
	{"Retail", []string{"Retail", "Stores", "Outfitters", "Market", "Goods"}, 150000},
	{"Healthcare", []string{"Health", "Medical", "Clinics", "Care", "Diagnostics"}, 140000},
	{"Financial Services", []string{"Capital", "Finance", "Partners", "Advisors", "Wealth"}, 300000},
	{"Logistics", []string{"Logistics", "Freight", "Transport", "Shipping", "Supply"}, 160000},
	{"Education", []string{"Academy", "Learning", "Education", "Institute", "School"}, 90000},
	{"Hospitality", []string{"Hotels", "Hospitality", "Resorts", "Inns", "Travel"}, 80000},
	{"Construction", []string{"Construction", "Builders", "Contracting", "Homes", "Structures"}, 200000},
	{"Energy", []string{"Energy", "Power", "Solar", "Renewables", "Utilities"}, 280000},
	{"Media", []string{"Media", "Studios", "Publishing", "Creative", "Productions"}, 170000},
	{"Professional Services", []string{"Consulting", "Group", "Associates", "Solutions", "Advisory"}, 190000},
	{"Real Estate", []string{"Realty", "Properties", "Estates", "Real Estate", "Developments"}, 220000},
	{"Telecommunications", []string{"Telecom", "Networks", "Communications", "Connect", "Wireless"}, 260000},
	{"Food & Beverage", []string{"Foods", "Kitchen", "Brewing", "Bakery", "Farms"}, 120000},
	{"Automotive", []string{"Motors", "Automotive", "Auto Parts", "Mobility", "Garage"}, 210000},
	{"Non-profit", []string{"Foundation", "Trust", "Alliance", "Society", "Initiative"}, 70000},
	{"Agriculture", []string{"Agri", "Growers", "Harvest", "Orchards", "Seeds"}, 110000},
}

// industryWeights makes some industries more common among customers.
var industryWeights = []float64{14, 10, 8, 7, 7, 8, 4, 4, 6, 4, 4, 9, 4, 3, 5, 3, 2, 2}

var regions = []struct {
	name      string
	countries []string
	weight    float64
}{
	{"North America", []string{"United States", "Canada", "Mexico"}, 45},
	{"EMEA", []string{"United Kingdom", "Germany", "France", "Netherlands", "Spain", "Italy", "Sweden", "South Africa", "United Arab Emirates"}, 35},
	{"APAC", []string{"Australia", "Japan", "Singapore", "India", "South Korea", "New Zealand"}, 14},
	{"LATAM", []string{"Brazil", "Argentina", "Chile", "Colombia"}, 6},
}

// personalDomains are where contacts without a company account get mail.
var personalDomains = []string{"example.com", "example.net", "example.org", "mail.example", "inbox.example"}

var titles = []struct {
	title  string
	weight float64
	senior bool
}{
	{"Chief Executive Officer", 2, true}, {"Chief Financial Officer", 1.5, true}, {"Chief Technology Officer", 1.5, true},
	{"Chief Operating Officer", 1, true}, {"Founder", 1.5, true}, {"Managing Director", 1.5, true},
	{"VP of Sales", 2, true}, {"VP of Marketing", 2, true}, {"VP of Operations", 1.5, true},
	{"Head of Procurement", 3, true}, {"IT Director", 3, true}, {"Finance Director", 2, true},
	{"Marketing Manager", 6, false}, {"Sales Manager", 6, false}, {"Operations Manager", 6, false},
	{"Procurement Manager", 5, false}, {"IT Manager", 5, false}, {"Project Manager", 5, false},
	{"Product Manager", 4, false}, {"Customer Success Manager", 3, false}, {"Business Analyst", 4, false},
	{"Data Analyst", 3, false}, {"Office Manager", 4, false}, {"Account Executive", 3, false},
	{"Software Engineer", 3, false}, {"Consultant", 3, false}, {"Buyer", 4, false}, {"Assistant", 2, false},
}

// soloTitles are the titles of contacts without a company account.
var soloTitles = []string{"", "", "", "Owner", "Freelancer", "Consultant", "Independent Contractor", "Student"}

// product is an item of the demo catalog; prices are whole dollars, so a
// line's total is exact in cents for any whole-percent discount.
type product struct {
	name, sku, description string
	price                  int64 // dollars
	weight                 float64
}

var catalog = []product{
	{"Analytics Suite - Annual License", "ANL-LIC-Y", "The analytics platform for one company, billed yearly.", 4800, 8},
	{"Analytics Suite - User Seat", "ANL-SEAT", "One named user of the analytics platform for a year.", 240, 14},
	{"Data Connector Pack", "DAT-CONN", "Ten prebuilt connectors to ERP, shop and accounting systems.", 1200, 6},
	{"Onboarding Workshop", "SRV-ONB", "A one-day remote workshop to set up the platform.", 1800, 5},
	{"Implementation Services (hour)", "SRV-IMPL-H", "Hands-on implementation by a solutions engineer, per hour.", 150, 9},
	{"Premium Support - Annual", "SUP-PREM-Y", "24/7 support with a four-hour response time.", 2400, 5},
	{"Standard Support - Annual", "SUP-STD-Y", "Business-hours support with a next-day response time.", 900, 8},
	{"Training Course (per attendee)", "TRN-SEAT", "A two-day instructor-led course for one attendee.", 450, 6},
	{"API Access Add-on", "ANL-API", "Programmatic access with higher rate limits.", 600, 5},
	{"Storage Expansion 1 TB", "STO-1TB", "One extra terabyte of storage for a year.", 120, 7},
	{"Mobile App License", "MOB-LIC", "The field mobile app for one user for a year.", 60, 8},
	{"Security & Compliance Module", "SEC-COMP", "Audit logs, SSO and data residency controls.", 3600, 3},
	{"Custom Integration", "SRV-INTEG", "A custom integration built to specification.", 5500, 2},
	{"Dashboard Template Pack", "ANL-TPL", "Forty ready-made dashboards by industry.", 290, 5},
	{"Hardware Gateway", "HW-GW", "An on-premises data gateway appliance.", 850, 3},
	{"Barcode Scanner", "HW-SCAN", "A rugged wireless barcode scanner.", 320, 4},
	{"Consulting Day", "SRV-CONS-D", "A day of strategy consulting on site or remote.", 1400, 4},
	{"Data Migration Service", "SRV-MIGR", "Migration of historical data from a legacy system.", 2900, 2},
	{"Email Marketing Add-on", "MKT-EMAIL", "Campaign emails for up to 50,000 contacts a month.", 480, 5},
	{"SMS Credits (1,000)", "MKT-SMS-1K", "One thousand outbound text messages.", 45, 6},
}

var leadSources = struct {
	organic []string
	weights []float64
}{
	[]string{"Website", "Cold outreach", "Partner", "Inbound call", "Content download", "Organic search"},
	[]float64{30, 15, 10, 8, 12, 25},
}

var lostReasons = []string{
	"Price too high", "Chose a competitor", "No budget this year", "Timing - revisit next quarter",
	"No decision made", "Missing feature", "Went silent", "Project cancelled",
}

var churnReasons = []string{"Chose a competitor", "Price too high", "No budget this year", "Unhappy with support"}

var ticketSubjects = []string{
	"Cannot log in after password reset", "Dashboard shows no data since yesterday", "Invoice amount looks wrong",
	"How do I add a new user?", "Export to Excel fails", "Connector sync is slow", "API returns 429 errors",
	"Request: dark mode", "Mobile app crashes on start", "Need help configuring SSO", "Scanner does not pair",
	"Question about renewal pricing", "Report totals do not match accounting", "Email campaign stuck in sending",
	"Data import rejected some rows", "Change billing address", "Gateway offline", "Permissions for a new team",
	"Training materials request", "Bug: date filter ignores time zone",
}

var npsComments = map[string][]string{
	"promoter": {
		"Great product and a team that really listens.", "Support is fast and friendly.",
		"It saves us hours every week.", "Easy to use, our whole team adopted it.",
		"Best purchase we made this year.", "Reliable and keeps getting better.",
	},
	"passive": {
		"Good overall, a few features missing.", "Works well but the price is on the high side.",
		"Solid, onboarding could be smoother.", "Does the job.", "Reports could be more flexible.",
	},
	"detractor": {
		"Too expensive for what we use.", "Support took days to answer.", "Too many bugs lately.",
		"Hard to set up and the documentation is thin.", "We are moving to another tool.",
		"The integration never worked properly.",
	},
}

var csatComments = map[int][]string{
	1: {"Issue still not solved.", "Nobody followed up.", "Very slow response."},
	2: {"Took far too long.", "Had to explain the problem three times."},
	3: {"Solved eventually.", "OK, but slow."},
	4: {"Quick and helpful.", "Good support, thanks."},
	5: {"Fantastic, solved in minutes!", "Super helpful agent.", "Exactly what I needed."},
}

var activityNotes = []string{
	"Prefers email over phone.", "Budget approved for next quarter.", "Evaluating two other vendors.",
	"Interested in the API add-on.", "Asked for a case study in their industry.", "Decision maker is the CFO.",
	"Wants a pilot with five users first.", "Mentioned expansion to a second site.",
}

// campaignTopics name webinars, seminars and promotions.
var campaignTopics = []string{
	"Forecasting with Data", "Dashboards that Drive Decisions", "Automating Your Back Office",
	"Customer Retention Playbook", "Securing Your Data", "From Spreadsheets to Insights",
	"Scaling Your Sales Team", "AI for Small Business", "Supply Chain Visibility", "Pricing Strategy Masterclass",
	"Winning with Customer Success", "Modern Reporting for Finance",
}

var eventCities = []string{"Berlin", "London", "Chicago", "Toronto", "Amsterdam", "Austin", "Singapore", "Madrid", "Boston", "Sydney"}

# A VPC of its own (the account's default VPC may be gone): one public subnet for the host, a second
# subnet in another zone only for the optional RDS subnet group, and a locked default security group.

locals {
  azs = coalesce(var.availability_zones, ["${var.region}a", "${var.region}b"])
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = var.name }
}

# The default security group of the VPC allows nothing.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-default-deny" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = var.name }
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, 1)
  availability_zone       = local.azs[0]
  map_public_ip_on_launch = false # the host gets the Elastic IP instead
  tags                    = { Name = "${var.name}-public" }
}

resource "aws_subnet" "db" {
  count             = var.enable_rds ? 2 : 0
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 10 + count.index)
  availability_zone = local.azs[count.index]
  tags              = { Name = "${var.name}-db-${count.index}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }
  tags = { Name = "${var.name}-public" }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

# VPC flow logs of rejected traffic only (cheap: a quiet host logs little), kept as long as the app logs.
resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = "REJECT"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow.arn
  iam_role_arn         = aws_iam_role.flow.arn
}

resource "aws_cloudwatch_log_group" "flow" {
  name              = "/${var.name}/vpc-flow"
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "flow" {
  name               = "${var.name}-vpc-flow"
  assume_role_policy = local.assume_role["flow"]
}

resource "aws_iam_role_policy" "flow" {
  name = "write-flow-logs"
  role = aws_iam_role.flow.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = "${aws_cloudwatch_log_group.flow.arn}:*"
    }]
  })
}

resource "aws_security_group" "host" {
  name        = "${var.name}-host"
  description = "halocline host: HTTP and HTTPS from anywhere, SSH from ssh_cidr only"
  vpc_id      = aws_vpc.this.id
  tags        = { Name = "${var.name}-host" }
}

# In: HTTP (redirects to HTTPS when domain_name is set) and HTTPS from anywhere; SSH only from ssh_cidr.
resource "aws_vpc_security_group_ingress_rule" "public" {
  for_each          = { http = 80, https = 443 }
  security_group_id = aws_security_group.host.id
  description       = upper(each.key)
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  count             = var.ssh_cidr == null ? 0 : 1
  security_group_id = aws_security_group.host.id
  description       = "SSH from the administrators' network"
  cidr_ipv4         = var.ssh_cidr
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
}

# Out: HTTPS (image registry, AWS APIs, live sources, Let's Encrypt) and HTTP (package mirrors, NOAA's
# plain-HTTP servers). DNS and NTP go to the VPC's own resolver and time service, which security groups
# do not filter. PostgreSQL only when RDS is on.
resource "aws_vpc_security_group_egress_rule" "web" {
  for_each          = { http = 80, https = 443 }
  security_group_id = aws_security_group.host.id
  description       = "${upper(each.key)} out"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
}

resource "aws_vpc_security_group_egress_rule" "postgres" {
  count             = var.enable_rds ? 1 : 0
  security_group_id = aws_security_group.host.id
  description       = "PostgreSQL in the VPC (RDS)"
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
}

variable "region" {
  description = "AWS region of every resource."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Prefix of every resource name, and the Project tag."
  type        = string
  default     = "halocline"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name: 2 to 31 lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "instance_type" {
  description = "EC2 instance type. t3.small (2 vCPU, 2 GiB) serves the demo data set and a 30-day window."
  type        = string
  default     = "t3.small"
}

variable "ami_id" {
  description = "AMI to boot (Amazon Linux 2023, x86_64). null: the latest one, from the public SSM parameter."
  type        = string
  default     = null
}

variable "image" {
  description = "halocline container image (built by .github/workflows/ci.yml on tags)."
  type        = string
  default     = "ghcr.io/halocline/halocline:0.0.0"
}

variable "data_volume_gb" {
  description = "Size of the EBS data volume (gp3, encrypted) that holds the SQLite store and archives."
  type        = number
  default     = 20
}

variable "vpc_cidr" {
  description = "CIDR of the VPC this module creates."
  type        = string
  default     = "10.42.0.0/16"
}

variable "availability_zones" {
  description = "Two availability zones: the host runs in the first; the optional RDS subnet group spans both. null: <region>a and <region>b."
  type        = list(string)
  default     = null
}

variable "ssh_cidr" {
  description = "CIDR allowed to reach port 22 (e.g. your office's /32). null: no SSH at all (use SSM Session Manager)."
  type        = string
  default     = null
}

variable "ssh_key_name" {
  description = "Name of an existing EC2 key pair for SSH. null: none."
  type        = string
  default     = null
}

variable "alert_email" {
  description = "E-mail address that CloudWatch alarms are sent to (SNS; confirm the subscription e-mail)."
  type        = string
}

variable "domain_name" {
  description = "Public name of the site (e.g. ocean.example.org). With route53_zone_id an A record is made; with a name the host gets an automatic TLS certificate (Caddy, Let's Encrypt) on 443."
  type        = string
  default     = null
}

variable "route53_zone_id" {
  description = "Route53 hosted zone of domain_name. null: no DNS record (point your DNS at the Elastic IP)."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the container logs."
  type        = number
  default     = 30
}

variable "snapshot_retention_count" {
  description = "Daily EBS snapshots of the data volume that DLM keeps."
  type        = number
  default     = 7
}

variable "enable_ssm" {
  description = "Attach AmazonSSMManagedInstanceCore so Session Manager gives a shell without SSH."
  type        = bool
  default     = true
}

variable "enable_rds" {
  description = "Also create an RDS PostgreSQL instance (modules/rds) and point halocline at it instead of SQLite."
  type        = bool
  default     = false
}

variable "rds_instance_class" {
  description = "RDS instance class when enable_rds."
  type        = string
  default     = "db.t4g.micro"
}

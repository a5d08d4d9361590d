/** The starter's parts behind its auto-configuration; not an API. */
package dev.avatargateway.spring.internal;
